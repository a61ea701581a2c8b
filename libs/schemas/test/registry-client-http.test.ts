import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SchemaRegistryClient, SchemaRegistryError } from '../src';

const v1 = {
  type: 'record',
  name: 'Ping',
  fields: [{ name: 'n', type: 'int' }],
};

describe('SchemaRegistryClient over HTTP', () => {
  const seen: { headers: IncomingHttpHeaders; socket: Socket; path: string }[] = [];
  let silent = false;
  let server: Server;
  let url: string;

  beforeAll(async () => {
    server = createServer((request, response) => {
      seen.push({ headers: request.headers, socket: request.socket, path: request.url! });
      if (silent) return; // accepts the request, never answers
      if (request.url!.endsWith('/schemas/ids/7'))
        response
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ schema: JSON.stringify(v1) }));
      else
        response
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify(['user-events-value']));
    });
    await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  beforeEach(() => {
    seen.length = 0;
    silent = false;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((closed) => server.close(() => closed()));
  });

  it('asks for uncompressed answers', async () => {
    const client = new SchemaRegistryClient(url);
    expect(await client.subjects()).toEqual(['user-events-value']);
    expect(seen).toHaveLength(1);
    expect(seen[0]!.headers['accept-encoding']).toBe('identity');
  });

  it('opens a connection per request, its own and the registry library’s (Apicurio may leave a reused one unanswered)', async () => {
    const client = new SchemaRegistryClient(url);
    await client.subjects();
    await client.subjectVersions('user-events-value');
    expect(await client.writerType(7)).not.toBeNull();
    expect(seen.map((request) => request.path)).toEqual([
      '/apis/ccompat/v7/subjects',
      '/apis/ccompat/v7/subjects/user-events-value/versions',
      '/apis/ccompat/v7/schemas/ids/7',
    ]);
    expect(seen.map((request) => request.headers.connection)).toEqual(['close', 'close', 'close']);
    expect(new Set(seen.map((request) => request.socket)).size).toBe(3);
  });

  it('a registry that never answers fails the request as unreachable, it does not hang', async () => {
    silent = true;
    const client = new SchemaRegistryClient(url, { timeoutMs: 200 });
    const error = await client.subjects().then(
      () => new Error('answered'),
      (caught: unknown) => caught as Error,
    );
    expect(error).toBeInstanceOf(SchemaRegistryError);
    expect(error.message).toContain('no answer within 0.2 s');
    const viaLibrary = await client.writerType(8).then(
      () => new Error('answered'),
      (caught: unknown) => caught as Error,
    );
    expect(viaLibrary).toBeInstanceOf(SchemaRegistryError);
    expect(viaLibrary.message).toMatch(/timeout/i);
  });
});
