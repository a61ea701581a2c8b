import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Logger, loadStackConfig } from '@lk/common';
import type { ConsumedBatch, ConsumedRecord, DeadLetter, DeadLetterQueue } from '@lk/kafka';
import { validatePipelines } from '@lk/operators';
import { Database, migrate, StreamJobStore } from '@lk/store';
import { noMetrics, StreamJob, type JobSource, type JobSourceHandlers } from '@lk/streaming';

/**
 * A partition whose newest records are dead-lettered: the speed job must record its progress past them
 * (its next offset) in PostgreSQL at the next flush like past any other record — else its lag never
 * reaches 0 and a restart reads and dead-letters them again.
 */
interface Event {
  user: string;
  ts: number;
}

class NotAnEventError extends Error {
  override readonly name = 'NotAnEventError';
}

const TOPIC = 'dead-letter-progress-events';
const T0 = 1_700_000_000_000;
const database = new Database(loadStackConfig().databaseUrl);
const store = new StreamJobStore(database);
const jobPrefix = `speed:dead_letter_progress_${randomUUID().slice(0, 8)}`;

beforeAll(async () => {
  await migrate(database);
});

afterAll(async () => {
  await store.deleteJobs(jobPrefix);
  await database.close();
});

const pipeline = validatePipelines([
  {
    name: 'counts',
    source: TOPIC,
    key: 'user',
    time: 'ts',
    window: { type: 'tumbling', size: '1m' },
    watermark: { maxOutOfOrderness: '5s' },
    aggregations: [{ name: 'events', fn: 'count' }],
  },
])[0]!;

const record = (offset: number, value: string): ConsumedRecord => ({
  topic: TOPIC,
  partition: 0,
  offset: BigInt(offset),
  key: Buffer.from('k'),
  value: Buffer.from(value),
  headers: {},
  rawHeaders: {},
  timestamp: T0,
});

const nextOffset = async (jobId: string): Promise<number | null> => {
  const rows = await database.query<{ next_offset: string }>(
    'select next_offset from partition_state where job_id = $1 and partition = 0',
    [jobId],
  );
  return rows[0] === undefined ? null : Number(rows[0].next_offset);
};

describe('speed job progress past dead-lettered records', () => {
  it('flushes the next offset past undecodable records that end the partition, without waiting for another event', async () => {
    const jobId = `${jobPrefix}:v1`;
    const lettered: DeadLetter[] = [];
    const deadLetters = {
      send: async (letters: DeadLetter[]) => void lettered.push(...letters),
    } as unknown as DeadLetterQueue;
    let handlers: JobSourceHandlers | undefined;
    const source: JobSource = {
      start: async (h) => void (handlers = h),
      seek: () => undefined,
      commit: async () => undefined,
      pauseAll: () => undefined,
      resumeAll: () => undefined,
      stop: async () => undefined,
    };
    const problems: string[] = [];
    const job = new StreamJob<Event>({
      jobId,
      groupId: `lk-test-${jobId}`,
      pipeline,
      source,
      store,
      decode: async (r) => {
        const text = r.value!.toString();
        if (!text.startsWith('{')) throw new NotAnEventError(`not JSON: ${text}`);
        return JSON.parse(text) as Event;
      },
      isPoison: (error) => error instanceof NotAnEventError,
      deadLetters,
      publish: async () => undefined,
      metrics: noMetrics,
      logger: new Logger('dead-letter-progress-test', {}, 'warn', (line) => problems.push(line)),
      flushIntervalMs: 5,
      flushMaxEvents: 1_000_000,
    });
    let fatal: Error | undefined;
    await job.start((error) => (fatal = error));
    try {
      const batch = (records: ConsumedRecord[]): ConsumedBatch => ({
        topic: TOPIC,
        partition: 0,
        records,
        highWatermark: records.at(-1)!.offset + 1n,
      });
      const good = [0, 1, 2].map((o) => record(o, JSON.stringify({ user: `u${o}`, ts: T0 + o })));
      await handlers!.onBatch(batch(good));
      await waitFor(async () => (await nextOffset(jobId)) === 3);
      // the newest records are poison: dead-lettered, and nothing follows them
      await handlers!.onBatch(batch([record(3, 'garbage'), record(4, '')]));
      expect(lettered.map((l) => Number(l.record.offset))).toEqual([3, 4]);
      await waitFor(
        async () => (await nextOffset(jobId)) === 5,
        'next offset past the dead-lettered records',
      );
    } finally {
      await job.stop();
    }
    expect(fatal).toBeUndefined();
    expect(problems).toEqual([]);
  });
});

/**
 * Polls until the condition holds. The bound is not what the test proves (no other event ever comes, so the
 * flush that records the progress can only be the job's own timer): it is slack for a PostgreSQL commit and
 * a timer on a loaded machine, and both waits together stay inside the 60 s test timeout.
 */
async function waitFor(
  condition: () => Promise<boolean>,
  what = 'condition',
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
