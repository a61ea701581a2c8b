import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadStackConfig } from '@lk/common';
import { CompatibilityGate, SchemaRegistryClient, loadAvsc, type AvroRecordSchema } from '@lk/schemas';

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
});

describe('pnpm schemas:check', () => {
  const cli = resolve(import.meta.dirname, '..', 'dist', 'cli', 'schemas-check.js');

  it('passes the repository schemas against the registry, one line per file', () => {
    const run = spawnSync(process.execPath, [cli], { encoding: 'utf8' });
    expect(run.status, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^ok {3}user-event\.v1\.avsc -> user-events-value/m);
    expect(run.stdout).toMatch(/^ok {3}user-event\.v2\.avsc -> user-events-value/m);
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
