import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  IncompatibleWriterSchemaError,
  OversizeRecordError,
  RecordDecodeError,
  RegistryNotReadyError,
  SchemaRegistryError,
  UnknownSchemaIdError,
  createUserEventDecoder,
} from '@lk/schemas';
import { FakeRegistry, sampleEvent, sampleEventBody, v2Schema, wireHeader } from './avro-fixtures';

const message = (id: number) => Buffer.concat([wireHeader(id), sampleEventBody]);
const rejection = (decode: Promise<unknown>) =>
  decode.then(
    () => new Error('decoded, expected a refusal'),
    (caught: unknown) => caught as Error,
  );

afterEach(() => vi.useRealTimers());

describe('a writer the UserEvent reader cannot use is refused once per schema id', () => {
  it('another record type: IncompatibleWriterSchemaError, the registry asked once', async () => {
    const registry = new FakeRegistry()
      .add(1, v2Schema)
      .add(9, { type: 'record', name: 'PageView', fields: [{ name: 'url', type: 'string' }] });
    const decoder = createUserEventDecoder(registry);
    const pageView = Buffer.concat([wireHeader(9), Buffer.from([2, 0x61])]);
    for (let i = 0; i < 3; i++) {
      expect(await rejection(decoder.decode(pageView))).toBeInstanceOf(IncompatibleWriterSchemaError);
    }
    expect(registry.writerTypeCalls).toBe(1);
  });

  it('a readable writer registered only under another subject is refused, naming both subjects', async () => {
    const registry = new FakeRegistry().add(1, v2Schema).add(5, v2Schema, 'page-views-value');
    const decoder = createUserEventDecoder(registry);
    const error = await rejection(decoder.decode(message(5)));
    expect(error).toBeInstanceOf(IncompatibleWriterSchemaError);
    expect(error.message).toMatch(
      /registered under subject\(s\) page-views-value, not under user-events-value/,
    );
    expect(await rejection(decoder.decode(message(5)))).toBe(error);
    expect(registry.writerTypeCalls).toBe(1);
    // the same schema under the contract's subject decodes
    expect((await decoder.decode(message(1))).value).toEqual(sampleEvent);
  });

  it('a registry without the ids→subjects endpoint skips the subject check', async () => {
    const registry = new FakeRegistry().add(1, v2Schema);
    registry.subjectsOfId = async () => null;
    expect((await createUserEventDecoder(registry).decode(message(1))).value).toEqual(sampleEvent);
  });
});

describe('an unknown schema id is poison only when the registry knows the subject', () => {
  it('an empty registry (restarted, or a wrong URL) gives RegistryNotReadyError, which is not poison', async () => {
    const registry = new FakeRegistry();
    const decoder = createUserEventDecoder(registry);
    const error = await rejection(decoder.decode(message(1)));
    expect(error).toBeInstanceOf(RegistryNotReadyError);
    expect(error).toBeInstanceOf(SchemaRegistryError);
    expect(error).not.toBeInstanceOf(RecordDecodeError);
    expect(error.message).toMatch(/http:\/\/fake-registry has no versions of subject "user-events-value"/);

    // nothing is remembered: once the contracts are registered again, the same id decodes
    registry.add(1, v2Schema);
    expect((await decoder.decode(message(1))).value).toEqual(sampleEvent);
  });

  it('a foreign writer in a registry without the subject is not refused for good either', async () => {
    const registry = new FakeRegistry().add(1, { type: 'record', name: 'Other', fields: [] }, 'other-value');
    const decoder = createUserEventDecoder(registry);
    expect(await rejection(decoder.decode(message(1)))).toBeInstanceOf(RegistryNotReadyError);
  });

  it('with the subject registered, an unknown id is UnknownSchemaIdError, re-checked after a short while', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const registry = new FakeRegistry().add(1, v2Schema);
    const decoder = createUserEventDecoder(registry, { unknownIdRecheckMs: 5_000 });
    expect(await rejection(decoder.decode(message(3)))).toBeInstanceOf(UnknownSchemaIdError);
    expect(await rejection(decoder.decode(message(3)))).toBeInstanceOf(UnknownSchemaIdError);
    expect(registry.writerTypeCalls).toBe(1);

    registry.add(3, v2Schema);
    vi.advanceTimersByTime(5_001);
    expect((await decoder.decode(message(3))).value).toEqual(sampleEvent);
    expect(registry.writerTypeCalls).toBe(2);
  });

  it('a failing registry is not remembered', async () => {
    const registry = new FakeRegistry().add(1, v2Schema);
    const writerType = registry.writerType.bind(registry);
    registry.writerType = async () => {
      throw new SchemaRegistryError('registry down', 503);
    };
    const decoder = createUserEventDecoder(registry);
    expect(await rejection(decoder.decode(message(1)))).toBeInstanceOf(SchemaRegistryError);
    registry.writerType = writerType;
    expect((await decoder.decode(message(1))).value).toEqual(sampleEvent);
  });
});

describe('createUserEventDecoder', () => {
  it('still takes maxRecordBytes as a plain number (the services call it so)', async () => {
    const decoder = createUserEventDecoder(new FakeRegistry().add(1, v2Schema), 10);
    expect(await rejection(decoder.decode(message(1)))).toBeInstanceOf(OversizeRecordError);
  });
});
