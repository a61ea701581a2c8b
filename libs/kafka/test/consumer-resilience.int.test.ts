import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadStackConfig, Logger } from '@lk/common';
import {
  ConsumerCrashedError,
  DeadLetterHeaders,
  DeadLetterQueue,
  DeadLetterQueueUnavailableError,
  DeleteGroupsError,
  KafkaClient,
  consumeUntil,
  decodingBatchHandler,
  partitionForKey,
  type ConsumedRecord,
  type ConsumerEventMap,
  type KafkaConsumer,
  type KafkaProducer,
} from '@lk/kafka';

/**
 * The consumer against the real broker when things go wrong: oversize and unwritable dead letters, binary
 * headers, crashes after start, group deletion. Every test has its own topics and groups.
 */
const config = loadStackConfig();
const runId = randomUUID().slice(0, 8);
const logLines: { level: string; event: string; [field: string]: unknown }[] = [];
const kafka = new KafkaClient({
  brokers: config.kafkaBrokers,
  clientId: `lk-resilience-${runId}`,
  logger: new Logger('test', {}, 'info', (line) =>
    logLines.push(JSON.parse(line) as (typeof logLines)[number]),
  ),
  // a missing DLQ topic must fail the send, not be created by it
  producer: { allowAutoTopicCreation: false },
});
const admin = kafka.admin();
const topics: string[] = [];
const groups: string[] = [];
let producer: KafkaProducer;

class NotGoodError extends Error {
  override readonly name = 'NotGoodError';
}

const topicName = (label: string) => {
  const name = `lk-res-${label}-${runId}`;
  topics.push(name, `${name}.dlq`);
  return name;
};
const groupName = (label: string) => {
  const name = `lk-res-${label}-${runId}`;
  groups.push(name);
  return name;
};

beforeAll(async () => {
  await admin.connect();
  producer = kafka.producer();
  await producer.connect();
});

afterAll(async () => {
  await producer.disconnect();
  await admin.deleteTopics(topics);
  await admin.deleteGroups(groups);
  await admin.disconnect();
});

async function waitFor(
  what: string,
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** a consumer that hands records whose value starts with "good" to `handled` and dead-letters the rest */
async function startDecodingConsumer(
  topic: string,
  groupId: string,
  handled: string[],
  events: { [K in keyof ConsumerEventMap]?: ConsumerEventMap[K][] } = {},
): Promise<KafkaConsumer> {
  const consumer = kafka.consumer(groupId, {
    pauseBackoff: { initialMs: 200, maxMs: 1_000, errorAfterMs: 1_500 },
  });
  for (const type of [
    'assigned',
    'revoked',
    'crash',
    'partition-paused',
    'partition-resumed',
    'stopped',
  ] as const)
    consumer.on(type, (event) => void ((events[type] ??= []) as unknown[]).push(event));
  await consumer.connect();
  await consumer.run({
    topics: [topic],
    fromBeginning: true,
    eachBatch: decodingBatchHandler<string>({
      decode: async (record) => {
        if (record.value?.subarray(0, 4).toString() !== 'good') throw new NotGoodError('not a good record');
        return record.value.toString();
      },
      isPoison: (error) => error instanceof NotGoodError,
      deadLetters: new DeadLetterQueue(producer, { admin }),
      handle: async (_batch, decoded) => void handled.push(...decoded.map((d) => d.value)),
    }),
  });
  return consumer;
}

const committed = async (groupId: string, topic: string, partition = 0) =>
  (await admin.committedOffsets(groupId, topic)).get(partition);

const readDlq = (topic: string, count: number): Promise<ConsumedRecord[]> =>
  consumeUntil(kafka, {
    topics: [`${topic}.dlq`],
    groupId: groupName('reader'),
    done: (r) => r.length >= count,
  });

describe('dead letters', () => {
  it('cuts a near-1 MB poison record to fit the DLQ topic and keeps consuming', async () => {
    const topic = topicName('oversize');
    const groupId = groupName('oversize');
    await admin.ensureTopics([
      { name: topic, partitions: 1, config: { 'max.message.bytes': String(2 * 1024 * 1024) } },
      { name: `${topic}.dlq`, partitions: 1 }, // the broker's default max.message.bytes (1 MiB + 12)
    ]);
    const big = Buffer.alloc(1_048_500, 0x62);
    await producer.send(topic, [{ key: 'a', value: Buffer.from('good-1') }]);
    await producer.send(topic, [{ key: 'b', value: big }]);
    await producer.send(topic, [{ key: 'c', value: Buffer.from('good-2') }]);

    const handled: string[] = [];
    const events: { [K in keyof ConsumerEventMap]?: ConsumerEventMap[K][] } = {};
    const consumer = await startDecodingConsumer(topic, groupId, handled, events);
    try {
      await waitFor('all three committed', async () => (await committed(groupId, topic)) === 3n);
    } finally {
      await consumer.close();
    }
    expect(handled).toEqual(['good-1', 'good-2']);
    // The oversize record must not crash the consumer. A group coordinator still loading its partition of
    // __consumer_offsets (a broker started seconds ago, as in CI) makes kafkajs restart the consumer once:
    // that is the broker's state, not the record's, and the consumer carries on (the commits above).
    const coordinatorLoading = new Set(['GROUP_LOAD_IN_PROGRESS', 'COORDINATOR_LOAD_IN_PROGRESS']);
    const crashes = (events.crash ?? []).filter(
      (crash) => !(crash.restart && coordinatorLoading.has((crash.cause as { type?: string }).type ?? '')),
    );
    expect(crashes).toEqual([]);

    const [letter] = await readDlq(topic, 1);
    expect(letter!.key?.toString()).toBe('b');
    expect(letter!.headers[DeadLetterHeaders.truncatedOriginalBytes]).toBe('1048500');
    expect(letter!.headers[DeadLetterHeaders.truncatedSha256]).toBe(
      createHash('sha256').update(big).digest('hex'),
    );
    expect(letter!.headers[DeadLetterHeaders.truncatedFields]).toBe('value');
    expect(letter!.headers[DeadLetterHeaders.originalOffset]).toBe('1');
    expect(letter!.value!.length).toBeGreaterThan(1_040_000);
    expect(letter!.value!.equals(big.subarray(0, letter!.value!.length))).toBe(true);
  });

  it('pauses the partition while the DLQ topic is missing, commits nothing past the poison, and flows once it exists', async () => {
    const topic = topicName('nodlq');
    const groupId = groupName('nodlq');
    await admin.ensureTopics([{ name: topic, partitions: 1 }]);
    await producer.send(topic, [
      { key: 'a', value: Buffer.from('good-1') },
      { key: 'b', value: Buffer.from('poison') },
      { key: 'c', value: Buffer.from('good-2') },
    ]);
    const handled: string[] = [];
    const events: { [K in keyof ConsumerEventMap]?: ConsumerEventMap[K][] } = {};
    const consumer = await startDecodingConsumer(topic, groupId, handled, events);
    try {
      await waitFor('two pauses', () => (events['partition-paused']?.length ?? 0) >= 2);
      const paused = events['partition-paused']![0]!;
      expect(paused).toMatchObject({ topic, partition: 0, fromOffset: 0n });
      expect(paused.error).toBeInstanceOf(DeadLetterQueueUnavailableError);
      expect(paused.error.message).toContain(`${topic}.dlq`);
      expect(handled).toEqual([]);
      expect(await committed(groupId, topic)).toBe(-1n);
      // a warning while the retries are young (they may yet succeed), an error once they failed for errorAfterMs
      const pauseLines = () =>
        logLines.filter((l) => l.event === 'partition paused, batch will be retried' && l.topic === topic);
      await waitFor('an error line', () => pauseLines().some((l) => l.level === 'error'));
      expect(pauseLines()[0]!.level).toBe('warn');
      const firstError = pauseLines().find((l) => l.level === 'error')!;
      expect(firstError.failingForMs).toBeGreaterThanOrEqual(1_500);
      expect(
        pauseLines()
          .filter((l) => l.level === 'warn')
          .every((l) => Number(l.failingForMs) < 1_500),
      ).toBe(true);

      await admin.ensureTopics([{ name: `${topic}.dlq`, partitions: 1 }]);
      await waitFor('all three committed', async () => (await committed(groupId, topic)) === 3n);
    } finally {
      await consumer.close();
    }
    expect(handled).toEqual(['good-1', 'good-2']);
    expect(events['partition-resumed']?.length).toBeGreaterThanOrEqual(2);
    const [letter] = await readDlq(topic, 1);
    expect(letter!.value?.toString()).toBe('poison');
  });

  it('copies the key bytes and every header (repeated, non-UTF-8, empty) byte for byte, so the copy goes back to the same partition', async () => {
    const topic = topicName('bytes');
    const groupId = groupName('bytes');
    await admin.ensureTopics([
      { name: topic, partitions: 3 },
      { name: `${topic}.dlq`, partitions: 1 },
    ]);
    const key = Buffer.from([0x00, 0xff, 0x80, 0x41, 0xc3]);
    await producer.send(topic, [
      {
        key,
        value: Buffer.from([0x00, 0x01, 0xfe]),
        headers: {
          trace: [Buffer.from('first'), Buffer.from([0xc3, 0x28, 0xff]), 'third'],
          binary: Buffer.from([0x80, 0x81]),
          empty: Buffer.alloc(0),
        },
      },
      { key: 'good', value: Buffer.from('good-1') },
    ]);
    const source = await consumeUntil(kafka, {
      topics: [topic],
      groupId: groupName('bytes-src'),
      done: (r) => r.length >= 2,
    });
    const original = source.find((r) => r.key?.equals(key))!;
    expect(original.rawHeaders).toEqual({
      trace: [Buffer.from('first'), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('third')],
      binary: [Buffer.from([0x80, 0x81])],
      empty: [Buffer.alloc(0)],
    });

    const handled: string[] = [];
    const consumer = await startDecodingConsumer(topic, groupId, handled);
    try {
      await waitFor('the good record', () => handled.length === 1);
    } finally {
      await consumer.close();
    }
    const [letter] = await readDlq(topic, 1);
    expect(letter!.key).toEqual(key);
    expect(partitionForKey(letter!.key!, 3)).toBe(original.partition);
    expect(letter!.value).toEqual(Buffer.from([0x00, 0x01, 0xfe]));
    const copied = Object.fromEntries(
      Object.entries(letter!.rawHeaders).filter(([name]) => !name.startsWith('lk.')),
    );
    expect(copied).toEqual(original.rawHeaders);
    expect(letter!.headers[DeadLetterHeaders.errorClass]).toBe('NotGoodError');
  });
});

describe('consumer crashes after start', () => {
  it('ends consumeUntil with the cause of a non-retriable crash instead of a timeout', async () => {
    const topic = topicName('crash');
    await admin.ensureTopics([{ name: topic, partitions: 1 }]);
    await producer.send(topic, [{ key: 'a', value: Buffer.from('x') }]);
    // Long enough that joining the group and fetching on a loaded machine cannot run into it: the read must
    // end through the crash, which the error's class shows (the timer rejects with a plain Error).
    const timeoutMs = 45_000;
    let crashedAt: number | undefined;
    const reading = consumeUntil(kafka, {
      topics: [topic],
      groupId: groupName('crash'),
      done: () => false,
      timeoutMs,
      onBatch: async () => {
        crashedAt ??= Date.now();
        // a programming error: kafkajs treats TypeError as unrecoverable and does not restart
        throw new TypeError('handler bug');
      },
    });
    const error = await reading.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConsumerCrashedError);
    expect((error as ConsumerCrashedError).cause).toBeInstanceOf(TypeError);
    expect((error as Error).message).toContain('TypeError: handler bug');
    // ...and promptly once the handler threw (kafkajs leaves the group and disconnects before it reports the
    // crash: well under a second when idle). Measured from the crash, not from the start, so a slow group
    // join does not count; a third of the timeout is generous slack and still far from waiting it out.
    expect(crashedAt).toBeDefined();
    expect(Date.now() - crashedAt!).toBeLessThan(timeoutMs / 3);
    expect(
      logLines.some((l) => l.level === 'error' && l.event === 'consumer crashed and will not restart'),
    ).toBe(true);
  });

  it('reports a crash kafkajs would restart after, as fatal when the caller says so', async () => {
    const topic = topicName('fatal');
    const groupId = groupName('fatal');
    await admin.ensureTopics([{ name: topic, partitions: 1 }]);
    await producer.send(topic, [{ key: 'a', value: Buffer.from('x') }]);
    const consumer = kafka.consumer(groupId, {
      retry: { retries: 0 },
      isFatal: (cause) => cause.message === 'results table missing',
    });
    const crashes: ConsumerEventMap['crash'][] = [];
    const revoked: ConsumerEventMap['revoked'][] = [];
    consumer.on('crash', (e) => crashes.push(e));
    consumer.on('revoked', (e) => revoked.push(e));
    await consumer.connect();
    await consumer.run({
      topics: [topic],
      fromBeginning: true,
      eachBatch: async () => {
        throw new Error('results table missing');
      },
    });
    const error = await consumer.waitForStop().catch((e: unknown) => e);
    await consumer.close();
    await consumer.close();
    expect(error).toBeInstanceOf(ConsumerCrashedError);
    expect((error as ConsumerCrashedError).cause.message).toBe('results table missing');
    expect(crashes).toEqual([{ cause: (error as ConsumerCrashedError).cause, restart: false }]);
    expect(revoked).toEqual([{ partitions: [{ topic, partition: 0 }], reason: 'crash' }]);
    expect(await committed(groupId, topic)).toBe(-1n);
  });
});

describe('KafkaAdmin.deleteGroups', () => {
  it('accepts a group that does not exist and refuses one with active members', async () => {
    await admin.deleteGroups([`lk-res-never-${runId}`]);

    const topic = topicName('groups');
    const groupId = groupName('groups');
    await admin.ensureTopics([{ name: topic, partitions: 2 }]);
    const consumer = kafka.consumer(groupId);
    const assigned: ConsumerEventMap['assigned'][] = [];
    const revoked: ConsumerEventMap['revoked'][] = [];
    const stopped: ConsumerEventMap['stopped'][] = [];
    consumer.on('assigned', (e) => assigned.push(e));
    consumer.on('revoked', (e) => revoked.push(e));
    consumer.on('stopped', (e) => stopped.push(e));
    await consumer.connect();
    await consumer.run({ topics: [topic], fromBeginning: true, eachBatch: async () => undefined });
    await waitFor('assignment', () => assigned.length > 0);
    const partitions = [
      { topic, partition: 0 },
      { topic, partition: 1 },
    ];
    expect(assigned[0]).toMatchObject({ generation: 1, partitions, added: partitions });

    const error = await admin.deleteGroups([groupId]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeleteGroupsError);
    expect((error as DeleteGroupsError).failures).toEqual([{ groupId, reason: 'The group is not empty' }]);

    await Promise.all([consumer.close(), consumer.close()]);
    await consumer.waitForStop();
    expect(revoked).toEqual([{ partitions, reason: 'stop' }]);
    expect(stopped).toEqual([{}]);
    await admin.deleteGroups([groupId]);
  });
});
