import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SchemaRegistryClient } from '../src';

describe('SchemaRegistryClient over HTTP', () => {
  const seen: IncomingHttpHeaders[] = [];
  let server: Server;
  let url: string;

  beforeAll(async () => {
    server = createServer((request, response) => {
      seen.push(request.headers);
      response
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify(['user-events-value']));
    });
    await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise<void>((closed) => server.close(() => closed()));
  });

  it('asks for uncompressed answers (Apicurio now and then never finishes a gzipped empty one)', async () => {
    const client = new SchemaRegistryClient(url);
    expect(await client.subjects()).toEqual(['user-events-value']);
    expect(seen).toHaveLength(1);
    expect(seen[0]!['accept-encoding']).toBe('identity');
  });
});
