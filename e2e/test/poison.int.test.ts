import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadStackConfig, Logger } from '@lk/common';
import { avroLong } from '../../libs/schemas/test/avro-fixtures';
import {
  DeadLetterHeaders,
  DeadLetterQueue,
  KafkaClient,
  consumeUntil,
  decodingBatchHandler,
  type ConsumedRecord,
} from '@lk/kafka';
import {
  RecordDecodeError,
  SchemaRegistryClient,
  createUserEventDecoder,
  userEventSchemas,
  type AvroRecordSchema,
  type UserEvent,
} from '@lk/schemas';

/**
 * A corpus of bad records between good ones: every good record is processed exactly once, every bad one
 * lands in the DLQ, unchanged, with the right error class and its original position; the group commits
 * everything.
 */
const config = loadStackConfig();
const runId = randomUUID().slice(0, 8);
const topic = `lk-poison-${runId}`;
const dlqTopic = `${topic}.dlq`;
const kafka = new KafkaClient({
  brokers: config.kafkaBrokers,
  clientId: `lk-poison-${runId}`,
  logger: new Logger('test', {}, 'error'),
});
const admin = kafka.admin();
const registry = new SchemaRegistryClient(config.schemaRegistryUrl);
const subject = `${topic}-value`;

interface Produced {
  kind: string;
  expectedError: string | null;
  key: string;
  value: Buffer | null;
  partition: number;
  offset: bigint;
  event?: UserEvent;
}

const produced: Produced[] = [];

beforeAll(async () => {
  await admin.connect();
  await admin.ensureTopics([
    { name: topic, partitions: 3 },
    { name: dlqTopic, partitions: 1 },
  ]);
  const [v1, v2] = userEventSchemas() as [AvroRecordSchema, AvroRecordSchema];
  await registry.setCompatibility(subject, 'BACKWARD');
  const v1Id = await registry.register(subject, v1);
  const v2Id = await registry.register(subject, v2);
  const amountAsString = {
    ...v2,
    fields: v2.fields.map((f) => (f.name === 'amount' ? { ...f, type: 'string' } : f)),
  };
  const wrongTypesId = await registry.register(`${topic}-wrong-types-value`, amountAsString);
  // v2 plus an array of nulls (a backward-compatible v3 of this subject): a 60-byte record of it can claim
  // 2^52 items, which an unbounded decoder loops over for days, the consumer stalled and nothing committed
  const hostileId = await registry.register(subject, {
    ...v2,
    fields: [...v2.fields, { name: 'tags', type: { type: 'array', items: 'null' }, default: [] }],
  } as AvroRecordSchema);
  const otherRecordId = await registry.register(`${topic}-other-value`, {
    type: 'record',
    name: 'PageView',
    fields: [{ name: 'url', type: 'string' }],
  });

  const event = (i: number, version: 1 | 2): UserEvent => ({
    event_id: `good-${runId}-${i}`,
    user_id: `user-${i % 7}`,
    event_type: 'click',
    amount: i * 1.5,
    ts: 1_700_000_000_000 + i * 1000,
    country: version === 2 ? 'DE' : null,
  });
  const encodeV1 = async (e: UserEvent) => {
    const { country: _dropped, ...v1Event } = e;
    return registry.encode(v1Id, v1Event);
  };
  const header = (id: number) =>
    Buffer.from([0, (id >>> 24) & 0xff, (id >>> 16) & 0xff, (id >>> 8) & 0xff, id & 0xff]);
  const validV2 = await registry.encode(v2Id, event(999, 2));

  const bad: { kind: string; expectedError: string; value: Buffer | null }[] = [
    { kind: 'null value (tombstone)', expectedError: 'NullValueError', value: null },
    { kind: 'empty value', expectedError: 'TruncatedRecordError', value: Buffer.alloc(0) },
    { kind: 'header cut short', expectedError: 'TruncatedRecordError', value: Buffer.from([0, 0, 0]) },
    {
      kind: 'wrong magic byte',
      expectedError: 'WrongMagicByteError',
      value: Buffer.concat([Buffer.from([1]), validV2.subarray(1)]),
    },
    {
      kind: 'JSON instead of Avro',
      expectedError: 'WrongMagicByteError',
      value: Buffer.from(JSON.stringify(event(5, 2))),
    },
    {
      kind: 'unknown schema id',
      expectedError: 'UnknownSchemaIdError',
      value: Buffer.concat([header(987_654), validV2.subarray(5)]),
    },
    {
      kind: 'truncated Avro body',
      expectedError: 'MalformedAvroError',
      value: validV2.subarray(0, validV2.length - 6),
    },
    {
      kind: 'garbage body',
      expectedError: 'MalformedAvroError',
      value: Buffer.concat([header(v2Id), Buffer.alloc(24, 0xff)]),
    },
    {
      kind: 'trailing bytes after the record',
      expectedError: 'MalformedAvroError',
      value: Buffer.concat([validV2, Buffer.from([1, 2, 3])]),
    },
    {
      kind: 'wrong field types (amount as string)',
      expectedError: 'IncompatibleWriterSchemaError',
      value: await registry.encode(wrongTypesId, { ...event(6, 2), amount: '12.5' }),
    },
    {
      kind: 'a different record type',
      expectedError: 'IncompatibleWriterSchemaError',
      value: await registry.encode(otherRecordId, { url: 'https://example.org' }),
    },
    {
      kind: 'a record of a few dozen bytes whose array claims 2^52 items',
      expectedError: 'AvroItemLimitError',
      value: Buffer.concat([header(hostileId), validV2.subarray(5), avroLong(2n ** 52n), avroLong(0n)]),
    },
    {
      kind: 'oversize',
      expectedError: 'OversizeRecordError',
      value: Buffer.concat([header(v2Id), Buffer.alloc(70 * 1024, 1)]),
    },
    {
      kind: 'NaN amount',
      expectedError: 'UserEventValidationError',
      value: await registry.encode(v2Id, { ...event(7, 2), amount: NaN }),
    },
    {
      kind: 'empty user_id',
      expectedError: 'UserEventValidationError',
      value: await registry.encode(v2Id, { ...event(8, 2), user_id: '' }),
    },
  ];

  const producer = kafka.producer();
  await producer.connect();
  const send = async (entry: Omit<Produced, 'partition' | 'offset'>) => {
    const [position] = await producer.send(topic, [{ key: entry.key, value: entry.value }]);
    produced.push({ ...entry, partition: position!.partition, offset: position!.baseOffset });
  };
  let goodIndex = 0;
  for (const [index, poison] of bad.entries()) {
    for (let k = 0; k < 3; k++) {
      const version = goodIndex % 3 === 0 ? 1 : 2;
      const good = event(goodIndex++, version);
      await send({
        kind: 'good',
        expectedError: null,
        key: good.user_id,
        value: version === 1 ? await encodeV1(good) : await registry.encode(v2Id, good),
        event: good,
      });
    }
    await send({
      kind: poison.kind,
      expectedError: poison.expectedError,
      key: `poison-${index}`,
      value: poison.value,
    });
  }
  await producer.disconnect();
});

afterAll(async () => {
  await admin.deleteTopics([topic, dlqTopic]);
  await admin.disconnect();
  for (const s of [subject, `${topic}-wrong-types-value`, `${topic}-other-value`])
    await registry.deleteSubject(s);
});

describe('poison messages', () => {
  it('processes every good record once and dead-letters every bad one with its reason', async () => {
    const groupId = `lk-poison-${runId}`;
    // the decoder reads this test's subject, which holds v1, v2 and the array-of-nulls writer
    const decoder = createUserEventDecoder(registry, { subject });
    const dlqProducer = kafka.producer();
    await dlqProducer.connect();
    const processed: { event: UserEvent; partition: number; offset: bigint }[] = [];
    const goodCount = produced.filter((p) => p.kind === 'good').length;
    const badCount = produced.length - goodCount;
    let deadLettered = 0;

    // consumeUntil finishes once the batch that completed the read is committed (onCommitted), so the
    // group's committed offsets checked below are final without waiting for a guessed time
    await consumeUntil(kafka, {
      topics: [topic],
      groupId,
      timeoutMs: 60_000,
      done: () => processed.length === goodCount && deadLettered === badCount,
      onBatch: decodingBatchHandler<UserEvent>({
        decode: async (record) => (await decoder.decode(record.value)).value,
        isPoison: (error) => error instanceof RecordDecodeError,
        deadLetters: new DeadLetterQueue(dlqProducer, { admin }),
        onDeadLettered: (count) => (deadLettered += count),
        handle: async (_batch, decoded) => {
          for (const { record, value } of decoded)
            processed.push({ event: value, partition: record.partition, offset: record.offset });
        },
      }),
    });
    await dlqProducer.disconnect();

    const expectedGood = produced.filter((p) => p.kind === 'good');
    expect(processed.map((p) => p.event.event_id).sort()).toEqual(
      expectedGood.map((p) => p.event!.event_id).sort(),
    );
    for (const p of processed) {
      const source = expectedGood.find((g) => g.partition === p.partition && g.offset === p.offset)!;
      expect(p.event).toEqual(source.event);
    }

    const dlq = await readTopic(dlqTopic, badCount);
    const expectedBad = produced.filter((p) => p.kind !== 'good');
    expect(expectedBad.length).toBeGreaterThanOrEqual(10);
    expect(new Set(expectedBad.map((p) => p.expectedError)).size).toBeGreaterThanOrEqual(8);
    for (const bad of expectedBad) {
      const letter = dlq.find(
        (r) =>
          r.headers[DeadLetterHeaders.originalPartition] === String(bad.partition) &&
          r.headers[DeadLetterHeaders.originalOffset] === bad.offset.toString(),
      );
      expect(letter, bad.kind).toBeDefined();
      expect(letter!.headers[DeadLetterHeaders.errorClass], bad.kind).toBe(bad.expectedError);
      expect(letter!.headers[DeadLetterHeaders.errorMessage]!.length, bad.kind).toBeGreaterThan(10);
      expect(letter!.headers[DeadLetterHeaders.originalTopic]).toBe(topic);
      expect(letter!.key).toEqual(Buffer.from(bad.key));
      expect(letter!.value === null ? null : Buffer.from(letter!.value)).toEqual(bad.value);
    }
    expect(dlq).toHaveLength(badCount);

    const committed = await admin.committedOffsets(groupId, topic);
    expect(committed).toEqual(await admin.endOffsets(topic));
    await admin.deleteGroups([groupId]);
  });
});

async function readTopic(name: string, count: number): Promise<ConsumedRecord[]> {
  const groupId = `lk-poison-reader-${runId}`;
  try {
    return await consumeUntil(kafka, { topics: [name], groupId, done: (records) => records.length >= count });
  } finally {
    await admin.deleteGroups([groupId]);
  }
}
