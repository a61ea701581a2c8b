import { describe, expect, it } from 'vitest';
import { partitionForKey, type OutgoingRecord, type SentRecordPosition } from '@lk/kafka';
import { EventGenerator } from '../src/generator';
import {
  DryRunSender,
  EventProducer,
  PartitionMismatchError,
  type Clock,
  type JsonlRecord,
  type RecordSender,
} from '../src/producer';

/** A clock that only moves when slept on (or by the sender), so pacing is checked without waiting. */
class FakeClock implements Clock {
  time = 0;
  readonly sleeps: number[] = [];
  now(): number {
    return this.time;
  }
  async sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    this.time += ms;
  }
}

/** Encodes as JSON, tagged with the version, so a test can see what would have been sent. */
const fakeEncoder = {
  encode: async (event: object, version: number) => Buffer.from(JSON.stringify({ version, event })),
};

/** Records every send; answers like a topic that already holds `existing` records per partition. */
class RecordingSender implements RecordSender {
  readonly sends: OutgoingRecord[][] = [];
  private readonly inner = new DryRunSender(12);
  constructor(existing = 0) {
    for (let p = 0; p < 12; p++)
      void this.inner.send(
        't',
        Array.from({ length: existing }, () => ({ key: null, value: null, partition: p })),
      );
  }
  async send(topic: string, records: OutgoingRecord[]): Promise<SentRecordPosition[]> {
    this.sends.push(records);
    return this.inner.send(topic, records);
  }
}

const lines: string[] = [];
const jsonl = { writeLines: async (batch: string[]) => void lines.push(...batch) };

describe('EventProducer', () => {
  const generator = new EventGenerator({
    count: 2_500,
    seed: 3,
    startMs: 0,
    keys: 50,
    duplicateFraction: 0.01,
  });

  it('gives every record its offset from the per-partition base offsets, in send order', async () => {
    lines.length = 0;
    // one record timestamp per send, set on every record of it and written to its line
    const recordTimes = [1_767_225_600_000, 1_767_225_600_050, 1_767_225_600_100];
    const sendTimes = [...recordTimes];
    const sender = new RecordingSender(7);
    const summary = await new EventProducer({
      topic: 't',
      partitions: 12,
      sender,
      encoder: fakeEncoder,
      rate: 0,
      maxBatchSize: 1_000,
      jsonl,
      recordTime: () => recordTimes.shift()!,
    }).produce(generator, generator.count);

    expect(sender.sends.map((batch) => batch.length)).toEqual([1_000, 1_000, 500]);
    expect(lines).toHaveLength(2_500);
    const records = lines.map((line) => JSON.parse(line) as JsonlRecord);
    const expected = [...generator];
    const nextOffset = new Array<number>(12).fill(7);
    records.forEach((record, i) => {
      const { event, schemaVersion } = expected[i]!;
      const partition = partitionForKey(event.user_id, 12);
      expect(record).toEqual({
        ...event,
        partition,
        offset: nextOffset[partition]!++,
        timestamp: sendTimes[Math.floor(i / 1_000)],
        schema_version: schemaVersion,
      });
      // the sent value is this event, encoded with its version, with the timestamp its line names
      const sent = sender.sends[Math.floor(i / 1_000)]![i % 1_000]!;
      expect(sent.key).toBe(event.user_id);
      expect(sent.timestamp).toBe(record.timestamp);
      expect(JSON.parse(sent.value!.toString())).toEqual({ version: schemaVersion, event });
    });

    expect(summary.sent).toBe(2_500);
    expect(summary.interrupted).toBe(false);
    expect(Object.values(summary.perPartition).reduce((a, b) => a + b, 0)).toBe(2_500);
    for (let p = 0; p < 12; p++) expect(summary.perPartition[p]).toBe(nextOffset[p]! - 7);
    expect(summary.duplicates).toBe(expected.filter((e) => e.duplicate).length);
    expect(summary.v1).toBe(expected.filter((e) => e.schemaVersion === 1).length);
    expect(summary.v1 + summary.v2).toBe(2_500);
  });

  it('keeps the key order of the JSONL line: event fields, then partition, offset, timestamp, schema_version', async () => {
    const [first] = lines;
    const keys = Object.keys(JSON.parse(first!) as object);
    expect(keys.slice(-4)).toEqual(['partition', 'offset', 'timestamp', 'schema_version']);
    expect(keys[0]).toBe('event_id');
  });

  it('paces to the rate in batches of about 1/20 s', async () => {
    const clock = new FakeClock();
    const sender = new RecordingSender();
    const paced = new EventGenerator({ count: 1_000, seed: 1, startMs: 0, rate: 200 });
    await new EventProducer({
      topic: 't',
      partitions: 12,
      sender,
      encoder: fakeEncoder,
      rate: 200,
      clock,
    }).produce(paced, paced.count);
    expect(sender.sends.every((batch) => batch.length === 10)).toBe(true);
    // 1000 events at 200/s: the last batch may start at 4.95 s
    expect(clock.time).toBeCloseTo(4_950, 6);
  });

  it('stops after the batch in flight when aborted and says so', async () => {
    const controller = new AbortController();
    const sender: RecordSender = {
      send: async (topic, records) => {
        controller.abort();
        return new DryRunSender(12).send(topic, records);
      },
    };
    const summary = await new EventProducer({
      topic: 't',
      partitions: 12,
      sender,
      encoder: fakeEncoder,
      rate: 0,
      maxBatchSize: 100,
      signal: controller.signal,
    }).produce(generator, generator.count);
    expect(summary.interrupted).toBe(true);
    expect(summary.sent).toBeLessThanOrEqual(200);
  });

  it('fails rather than write wrong offsets when records land on unexpected partitions', async () => {
    const sender: RecordSender = { send: async () => [{ partition: 99, baseOffset: 0n }] };
    const producer = new EventProducer({ topic: 't', partitions: 12, sender, encoder: fakeEncoder, rate: 0 });
    await expect(producer.produce(generator, generator.count)).rejects.toThrow(PartitionMismatchError);
  });

  it('propagates a failed send', async () => {
    const sender: RecordSender = {
      send: async () => {
        throw new Error('broker gone');
      },
    };
    const producer = new EventProducer({ topic: 't', partitions: 12, sender, encoder: fakeEncoder, rate: 0 });
    await expect(producer.produce(generator, generator.count)).rejects.toThrow('broker gone');
  });
});
