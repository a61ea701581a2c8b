import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadStackConfig } from '@lk/common';
import {
  CompatibilityGate,
  NotASchemaRegistryError,
  SchemaRegistryClient,
  loadAvsc,
  type AvroRecordSchema,
} from '@lk/schemas';

const registry = new SchemaRegistryClient(loadStackConfig().schemaRegistryUrl);
const gate = new CompatibilityGate(registry);
const subject = `lk-gate-${randomUUID().slice(0, 8)}-value`;
const v1 = loadAvsc('user-event.v1.avsc');
const v2 = loadAvsc('user-event.v2.avsc');
const replaceFields = (fields: AvroRecordSchema['fields']): AvroRecordSchema => ({ ...v2, fields });

beforeAll(async () => {
  await registry.setCompatibility(subject, 'BACKWARD');
  await registry.register(subject, v1);
  await registry.register(subject, v2);
});
afterAll(() => registry.deleteSubject(subject));

describe('compatibility gate against the registry', () => {
  it('accepts adding an optional field with a default', async () => {
    const next = replaceFields([...v2.fields, { name: 'device', type: ['null', 'string'], default: null }]);
    expect(await gate.check(subject, next)).toEqual({
      subject,
      status: 'compatible',
      registryVersion: 2,
      compatibility: 'BACKWARD',
      problems: [],
    });
  });

  it('rejects removing a field without a default, explaining which and why', async () => {
    const verdict = await gate.check(
      subject,
      replaceFields(v2.fields.filter((f) => f.name !== 'event_type')),
    );
    expect(verdict.status).toBe('incompatible');
    expect(verdict.problems.join('\n')).toMatch(/field "event_type" \(string\) was removed/);
  });

  it('rejects changing a field type, and the registry refuses to register it too', async () => {
    const next = replaceFields(v2.fields.map((f) => (f.name === 'ts' ? { ...f, type: 'string' } : f)));
    const verdict = await gate.check(subject, next);
    expect(verdict.status).toBe('incompatible');
    expect(verdict.problems.join('\n')).toMatch(
      /field "ts" changed type from long \(timestamp-millis\) to string/,
    );
    await expect(registry.register(subject, next)).rejects.toThrow(/field "ts"/);
  });

  it('treats an unregistered subject as new', async () => {
    expect((await gate.check(`${subject}-none`, v2)).status).toBe('new-subject');
  });

  it('refuses to judge when the URL answers 404 (a typo or proxy path), instead of "new subject"', async () => {
    const wrongPath = new CompatibilityGate(new SchemaRegistryClient('http://127.0.0.1:8081/nope'));
    const next = replaceFields(v2.fields.filter((f) => f.name !== 'event_type'));
    await expect(wrongPath.check(subject, next)).rejects.toThrow(NotASchemaRegistryError);
    await expect(wrongPath.check(subject, next)).rejects.toThrow(
      /http:\/\/127\.0\.0\.1:8081\/nope\/apis\/ccompat\/v7 is not a schema registry: GET .* answered 404/,
    );
  });
});

describe('pnpm schemas:check', () => {
  const cli = resolve(import.meta.dirname, '..', 'dist', 'cli', 'schemas-check.js');

  it('passes the repository schemas against the registry, one line per file', () => {
    const run = spawnSync(process.execPath, [cli], { encoding: 'utf8' });
    expect(run.status, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^ok {3}user-event\.v1\.avsc -> user-events-value/m);
    expect(run.stdout).toMatch(/^ok {3}user-event\.v2\.avsc -> user-events-value/m);
  });

  /** async, so this process's own fake server can answer the CLI */
  const runCli = (env: Record<string, string>, args: string[] = []) =>
    new Promise<{ status: number | null; stdout: string; stderr: string }>((done) => {
      const child = spawn(process.execPath, [cli, ...args], { env: { ...process.env, ...env } });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('close', (status) => done({ status, stdout, stderr }));
    });

  let notARegistry: Server;
  let notARegistryUrl: string;
  const scratch = mkdtempSync(join(tmpdir(), 'lk-schemas-check-'));
  beforeAll(async () => {
    // a web server that answers everything with 200 and a page: not a registry
    notARegistry = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html' }).end('<html>welcome</html>');
    });
    await new Promise<void>((listening) => notARegistry.listen(0, '127.0.0.1', listening));
    notARegistryUrl = `http://127.0.0.1:${(notARegistry.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((closed) => notARegistry.close(closed));
    rmSync(scratch, { recursive: true, force: true });
  });

  it('exits 2 naming the URL when the registry URL answers 404, even for an incompatible schema', async () => {
    const dir = mkdtempSync(join(scratch, 'incompatible-'));
    const breaking = replaceFields(v2.fields.filter((f) => f.name !== 'event_type'));
    writeFileSync(join(dir, 'user-event.v3.avsc'), JSON.stringify(breaking));
    const run = await runCli({ SCHEMA_REGISTRY_URL: 'http://127.0.0.1:8081/nope' }, [dir]);
    expect(run.status, run.stdout + run.stderr).toBe(2);
    expect(run.stdout).not.toMatch(/^ok/m);
    expect(run.stderr).toMatch(
      /schemas:check could not run: http:\/\/127\.0\.0\.1:8081\/nope\/apis\/ccompat\/v7 is not a schema registry/,
    );
  });

  it('exits 2 naming the URL when the URL is a web server but not a registry', async () => {
    const run = await runCli({ SCHEMA_REGISTRY_URL: notARegistryUrl });
    expect(run.status, run.stdout + run.stderr).toBe(2);
    expect(run.stderr).toContain(`${notARegistryUrl}/apis/ccompat/v7 is not a schema registry`);
  });

  it.each([
    ['invalid JSON', '{ "type": "record", ', /not valid JSON/],
    [
      'invalid Avro',
      JSON.stringify({ type: 'record', name: 'UserEvent', fields: [{ name: 'a', type: 'no_such_type' }] }),
      /not a valid Avro schema: .*no_such_type/,
    ],
  ])('exits 2 naming the file when an .avsc is broken (%s)', async (_kind, text, problem) => {
    const dir = mkdtempSync(join(scratch, 'broken-'));
    writeFileSync(join(dir, 'user-event.v1.avsc'), JSON.stringify(v1));
    writeFileSync(join(dir, 'user-event.v3.avsc'), text);
    const run = await runCli({}, [dir]);
    expect(run.status, run.stdout + run.stderr).toBe(2);
    expect(run.stderr).toContain(`schemas:check could not run: ${join(dir, 'user-event.v3.avsc')}: `);
    expect(run.stderr).toMatch(problem);
  });

  it('exits 2 saying why when the registry cannot be reached', () => {
    const run = spawnSync(process.execPath, [cli], {
      encoding: 'utf8',
      env: { ...process.env, SCHEMA_REGISTRY_URL: 'http://127.0.0.1:1' },
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(
      /schemas:check could not run: schema registry at http:\/\/127\.0\.0\.1:1\/apis\/ccompat\/v7 is unreachable/,
    );
  });
});
