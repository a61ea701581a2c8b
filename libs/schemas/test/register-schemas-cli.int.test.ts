import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const cli = resolve(import.meta.dirname, '..', 'dist', 'cli', 'register-schemas.js');

/** a registry stand-in that counts the requests it gets (and refuses them all) */
let server: Server;
let requests = 0;
let url = '';

beforeAll(async () => {
  server = createServer((_request, response) => {
    requests++;
    response.writeHead(500, { 'content-type': 'application/json' }).end('{"error_code":500}');
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((done) => server.close(() => done())));

describe('lk-register-schemas', () => {
  it('refuses a bad LOG_LEVEL before it talks to the registry (exit 2, naming the variable)', async () => {
    const run = await promisify(execFile)(process.execPath, [cli], {
      env: { ...process.env, LOG_LEVEL: 'verbose', SCHEMA_REGISTRY_URL: url },
    }).then(
      () => ({ code: 0, stderr: '' }),
      (error: { code: number; stderr: string }) => ({ code: error.code, stderr: error.stderr }),
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('LOG_LEVEL');
    expect(requests).toBe(0);
  });
});
