import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadStackConfig, Logger } from '@lk/common';
import { KafkaClient, readPartitionRange, type ConsumedRecord } from '@lk/kafka';

/**
 * readPartitionRange against the real broker: exactly the records of [from, end) of one partition, in order,
 * once; readers of different partitions sharing one group each get their own partition (the wanted-partitions
 * assigner) and commit their progress there; an abort ends the read with its reason.
 */
const stack = loadStackConfig();
const kafka = new KafkaClient({
  brokers: stack.kafkaBrokers,
  clientId: 'lk-range-test',
  logger: new Logger('test', {}, 'error'),
});
const topic = `lk-range-${randomUUID().slice(0, 8)}`;
const groups: string[] = [];

beforeAll(async () => {
  const admin = kafka.admin();
  await admin.connect();
  await admin.ensureTopics([{ name: topic, partitions: 3 }]);
  await admin.disconnect();
  const producer = kafka.producer();
  await producer.connect();
  for (let chunk = 0; chunk < 4; chunk++)
    await producer.send(
      topic,
      Array.from({ length: 150 }, (_, i) => ({
        key: null,
        value: Buffer.from(`p${i % 3}-${chunk * 50 + Math.floor(i / 3)}`),
        partition: i % 3,
      })),
    );
  await producer.disconnect();
});

afterAll(async () => {
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteGroups(groups).catch(() => undefined);
  await admin.deleteTopics([topic]).catch(() => undefined);
  await admin.disconnect();
});

const valuesOf = (records: ConsumedRecord[]): string[] => records.map((r) => r.value!.toString());

describe('readPartitionRange', () => {
  it('delivers exactly [from, end) of its partition, in order, and readers sharing a group get their own', async () => {
    const group = `lk-range-${randomUUID().slice(0, 8)}`;
    groups.push(group);
    const read = async (partition: number, from: number, end: number): Promise<ConsumedRecord[]> => {
      const records: ConsumedRecord[] = [];
      await readPartitionRange(kafka, {
        topic,
        partition,
        fromOffset: from,
        endOffset: end,
        groupId: group,
        durableOffset: () => (records.length > 0 ? Number(records.at(-1)!.offset) + 1 : undefined),
        onBatch: async (batch) => {
          expect(batch.partition).toBe(partition);
          records.push(...batch.records);
        },
      });
      return records;
    };
    const [one, two] = await Promise.all([read(1, 37, 161), read(2, 0, 200)]);
    expect(valuesOf(one)).toEqual(Array.from({ length: 124 }, (_, i) => `p1-${37 + i}`));
    expect(one.map((r) => Number(r.offset))).toEqual(Array.from({ length: 124 }, (_, i) => 37 + i));
    expect(valuesOf(two)).toEqual(Array.from({ length: 200 }, (_, i) => `p2-${i}`));
    // the progress was committed to the shared group, per partition
    const admin = kafka.admin();
    await admin.connect();
    const committed = await admin.committedOffsets(group, topic);
    await admin.disconnect();
    expect(committed.get(1)).toBe(161n);
    expect(committed.get(2)).toBe(200n);
  });

  it('reads nothing for an empty range, and ends with the reason when aborted', async () => {
    await readPartitionRange(kafka, {
      topic,
      partition: 0,
      fromOffset: 200,
      endOffset: 200,
      groupId: `lk-range-${randomUUID().slice(0, 8)}`,
      onBatch: async () => {
        throw new Error('nothing to deliver');
      },
    });
    const controller = new AbortController();
    const group = `lk-range-${randomUUID().slice(0, 8)}`;
    groups.push(group);
    const reading = readPartitionRange(kafka, {
      topic,
      partition: 0,
      fromOffset: 0,
      // beyond the log end: never finishes by itself
      endOffset: 10_000,
      groupId: group,
      signal: controller.signal,
      onBatch: async () => controller.abort(new Error('enough')),
    });
    await expect(reading).rejects.toThrow('enough');
  });
});
