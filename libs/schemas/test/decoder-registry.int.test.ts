import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadStackConfig } from '@lk/common';
import {
  AvroItemLimitError,
  IncompatibleWriterSchemaError,
  RecordDecodeError,
  RegistryNotReadyError,
  SchemaRegistryClient,
  UnknownSchemaIdError,
  USER_EVENTS_SUBJECT,
  createUserEventDecoder,
} from '@lk/schemas';
import { avroLong, sampleEvent, sampleEventBody, userEventWith, v2Schema, wireHeader } from './avro-fixtures';

/**
 * The decoder against the real registry: hostile writers registered under throwaway subjects, and registries
 * that are not (yet) able to vouch for an id.
 */
const registry = new SchemaRegistryClient(loadStackConfig().schemaRegistryUrl);
const runId = randomUUID().slice(0, 8);
const hostileSubject = `lk-hostile-${runId}-value`;
const otherSubject = `lk-pageview-${runId}-value`;
const contractSubject = `lk-contract-${runId}-value`;
let hostileId: number;
let pageViewId: number;
let v2Id: number;

const rejection = (decode: Promise<unknown>) =>
  decode.then(
    () => new Error('decoded, expected a refusal'),
    (caught: unknown) => caught as Error,
  );

beforeAll(async () => {
  hostileId = await registry.register(
    hostileSubject,
    userEventWith({ name: 'tags', type: { type: 'array', items: 'null' } }),
  );
  pageViewId = await registry.register(otherSubject, {
    type: 'record',
    name: 'PageView',
    fields: [{ name: 'url', type: 'string' }],
  });
  // the registry gives identical schemas one id, so this is the contract's v2 id
  v2Id = await registry.register(contractSubject, v2Schema);
});
afterAll(async () => {
  for (const subject of [hostileSubject, otherSubject, contractSubject])
    await registry.deleteSubject(subject);
});

describe('hostile writer schemas from the real registry', () => {
  it('a 60-byte record whose array claims 2^52 nulls is refused at once with AvroItemLimitError', async () => {
    const decoder = createUserEventDecoder(registry, { subject: hostileSubject });
    const message = Buffer.concat([
      wireHeader(hostileId),
      sampleEventBody,
      avroLong(2n ** 52n),
      avroLong(0n),
    ]);
    expect(message.length).toBeLessThanOrEqual(60);
    // The bound is on reading the record, not on the registry: a first record of the same writer id (an empty
    // array) fetches and caches the writer schema, so the timed decode below is the bounded scan alone and a
    // registry slowed by a loaded machine cannot push it over, while a loop over 2^52 nulls (days) still would.
    const primer = Buffer.concat([wireHeader(hostileId), sampleEventBody, avroLong(0n)]);
    expect((await decoder.decode(primer)).value).toEqual(sampleEvent);
    const started = performance.now();
    const error = await rejection(decoder.decode(message));
    expect(error).toBeInstanceOf(AvroItemLimitError);
    expect(error).toBeInstanceOf(RecordDecodeError);
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('the same writer, registered under another subject than user-events-value, is refused once per id', async () => {
    const decoder = createUserEventDecoder(registry);
    const writerType = vi.spyOn(registry, 'writerType');
    const message = Buffer.concat([
      wireHeader(hostileId),
      sampleEventBody,
      avroLong(2n ** 52n),
      avroLong(0n),
    ]);
    const first = await rejection(decoder.decode(message));
    expect(first).toBeInstanceOf(IncompatibleWriterSchemaError);
    expect(first.message).toContain(
      `registered under subject(s) ${hostileSubject}, not under ${USER_EVENTS_SUBJECT}`,
    );
    expect(await rejection(decoder.decode(message))).toBe(first);
    expect(writerType).toHaveBeenCalledTimes(1);
    writerType.mockRestore();
  });

  it('another record type under another subject is IncompatibleWriterSchemaError, asked for once', async () => {
    const decoder = createUserEventDecoder(registry);
    const writerType = vi.spyOn(registry, 'writerType');
    const pageView = await registry.encode(pageViewId, { url: 'https://example.org' });
    for (let i = 0; i < 3; i++)
      expect(await rejection(decoder.decode(pageView))).toBeInstanceOf(IncompatibleWriterSchemaError);
    expect(writerType).toHaveBeenCalledTimes(1);
    writerType.mockRestore();
  });

  it('an unknown id in a healthy registry that holds user-events-value is poison (UnknownSchemaIdError)', async () => {
    const decoder = createUserEventDecoder(registry);
    const error = await rejection(decoder.decode(Buffer.concat([wireHeader(987_654_321), sampleEventBody])));
    expect(error).toBeInstanceOf(UnknownSchemaIdError);
  });
});

describe('a registry that cannot vouch for an id is not poison', () => {
  it('a registry URL answering 404 (wrong path) gives RegistryNotReadyError for a good record', async () => {
    const wrongPath = new SchemaRegistryClient('http://127.0.0.1:8081/nope');
    const decoder = createUserEventDecoder(wrongPath);
    const good = await registry.encode(v2Id, sampleEvent);
    for (let i = 0; i < 2; i++) {
      const error = await rejection(decoder.decode(good));
      expect(error).toBeInstanceOf(RegistryNotReadyError);
      expect(error).not.toBeInstanceOf(RecordDecodeError);
      expect(error.message).toContain('http://127.0.0.1:8081/nope/apis/ccompat/v7');
    }
  });

  describe('an in-memory registry restarted empty, then re-registered', () => {
    let ready = false;
    let server: Server;
    let url: string;
    const json = (status: number, body: unknown) => ({ status, body: JSON.stringify(body) });
    // just enough of the Confluent API, answering like an empty registry until `ready`
    const answer = (path: string) => {
      const notFound = json(404, { error_code: 40403, message: 'Schema not found' });
      if (path === `/apis/ccompat/v7/subjects/${USER_EVENTS_SUBJECT}/versions`)
        return ready ? json(200, [1]) : json(404, { error_code: 40401, message: 'Subject not found' });
      if (path === '/apis/ccompat/v7/schemas/ids/1')
        return ready ? json(200, { schema: JSON.stringify(v2Schema) }) : notFound;
      if (path === '/apis/ccompat/v7/schemas/ids/1/versions')
        return ready ? json(200, [{ subject: USER_EVENTS_SUBJECT, version: 1 }]) : notFound;
      return notFound;
    };
    beforeAll(async () => {
      server = createServer((request, response) => {
        const { status, body } = answer(new URL(request.url!, 'http://x').pathname);
        response.writeHead(status, { 'content-type': 'application/vnd.schemaregistry.v1+json' }).end(body);
      });
      await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(() => new Promise((closed) => server.close(closed)));

    it('retries (RegistryNotReadyError) while empty, and decodes once the contracts are back', async () => {
      const decoder = createUserEventDecoder(new SchemaRegistryClient(url));
      const good = Buffer.concat([wireHeader(1), sampleEventBody]);
      const error = await rejection(decoder.decode(good));
      expect(error).toBeInstanceOf(RegistryNotReadyError);
      expect(error).not.toBeInstanceOf(UnknownSchemaIdError);
      ready = true;
      expect((await decoder.decode(good)).value).toEqual(sampleEvent);
    });
  });
});
