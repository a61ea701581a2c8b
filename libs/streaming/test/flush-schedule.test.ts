import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ConsumedBatch, DeadLetterQueue } from '@lk/kafka';
import { validatePipelines } from '@lk/operators';
import type { StreamFlush, StreamJobStore } from '@lk/store';
import { noMetrics } from '@lk/streaming';
import type { JobSource, JobSourceHandlers } from '@lk/streaming';
import { StreamJob } from '@lk/streaming';
import { Logger } from '@lk/common';

/**
 * When the speed job flushes: within the flush interval of the first unflushed event while it keeps up with
 * the log, within the longer catch-up interval while its consumer lag is above the threshold, at once when
 * the events pending reach the size limit. Fake clock, in-memory source and store.
 */
interface Event {
  user: string;
  ts: number;
}

const pipeline = validatePipelines([
  {
    name: 'p',
    source: 'events',
    key: 'user',
    time: 'ts',
    window: { type: 'tumbling', size: '1m' },
    watermark: { maxOutOfOrderness: '1s' },
    allowedLateness: '0s',
    aggregations: [{ name: 'events', fn: 'count' }],
  },
])[0]!;

class Harness {
  readonly flushes: { at: number; flush: StreamFlush }[] = [];
  private handlers!: JobSourceHandlers;
  private nextOffset = 0;
  readonly job: StreamJob<Event>;

  constructor(options: { flushMaxEvents?: number } = {}) {
    const source: JobSource = {
      start: async (handlers) => void (this.handlers = handlers),
      seek: () => undefined,
      commit: async () => undefined,
      pauseAll: () => undefined,
      resumeAll: () => undefined,
      stop: async () => undefined,
    };
    const store = {
      claimPartition: async (_job: string, _pipeline: string, _topic: string, partition: number) => ({
        partition,
        epoch: 1,
        nextOffset: 0,
        maxEventTime: null,
        openWindows: [],
        frontiers: [],
      }),
      flush: async (flush: StreamFlush) => {
        this.flushes.push({ at: Date.now(), flush });
        return { written: flush.partitions.map((p) => p.partition), fenced: [] };
      },
      ping: async () => undefined,
    } as unknown as StreamJobStore;
    this.job = new StreamJob<Event>({
      jobId: 'speed:p:v1',
      groupId: 'lk-speed-p-v1',
      pipeline,
      source,
      store,
      decode: async (record) => JSON.parse(record.value!.toString()) as Event,
      isPoison: () => false,
      deadLetters: { send: async () => undefined } as unknown as DeadLetterQueue,
      publish: async () => undefined,
      metrics: noMetrics,
      logger: new Logger('test', {}, 'error'),
      flushIntervalMs: 50,
      flushMaxEvents: options.flushMaxEvents ?? 1_000_000,
      catchUpFlushIntervalMs: 1_000,
      catchUpLag: 10_000,
    });
  }

  async start(): Promise<void> {
    await this.job.start(() => undefined);
  }

  /** `count` events on partition 0, the log ending `behind` records after them */
  async deliver(count: number, behind: number): Promise<void> {
    const records = Array.from({ length: count }, (_, i) => ({
      topic: 'events',
      partition: 0,
      offset: BigInt(this.nextOffset + i),
      key: null,
      value: Buffer.from(JSON.stringify({ user: `u${i % 3}`, ts: 60_000 + this.nextOffset + i })),
      headers: {},
      rawHeaders: {},
      timestamp: Date.now(),
    }));
    this.nextOffset += count;
    const batch: ConsumedBatch = {
      topic: 'events',
      partition: 0,
      records,
      highWatermark: BigInt(this.nextOffset + behind),
    };
    await this.handlers.onBatch(batch);
  }

  flushedOffsets(): number[] {
    return this.flushes.map(({ flush }) => flush.partitions[0]!.nextOffset);
  }
}

describe('StreamJob flush schedule', () => {
  beforeEach(() => void vi.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => void vi.useRealTimers());

  it('flushes within the flush interval of the first unflushed event while it keeps up', async () => {
    const harness = new Harness();
    await harness.start();
    await harness.deliver(10, 0);
    await vi.advanceTimersByTimeAsync(49);
    expect(harness.flushes).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(harness.flushedOffsets()).toEqual([10]);
    expect(harness.flushes[0]!.at).toBe(1_000_050);
  });

  it('flushes within the catch-up interval while the lag is above the threshold', async () => {
    const harness = new Harness();
    await harness.start();
    await harness.deliver(100, 50_000);
    await vi.advanceTimersByTimeAsync(999);
    expect(harness.flushes).toHaveLength(0);
    await harness.deliver(100, 49_900);
    await vi.advanceTimersByTimeAsync(1);
    expect(harness.flushedOffsets()).toEqual([200]);
  });

  it('brings the flush forward once the job is back within reach of the log end', async () => {
    const harness = new Harness();
    await harness.start();
    await harness.deliver(100, 50_000);
    await vi.advanceTimersByTimeAsync(200);
    await harness.deliver(100, 5);
    await vi.advanceTimersByTimeAsync(49);
    expect(harness.flushes).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(harness.flushedOffsets()).toEqual([200]);
    expect(harness.flushes[0]!.at).toBe(1_000_250);
  });

  it('flushes at once when the pending events reach the size limit, whatever the lag', async () => {
    const harness = new Harness({ flushMaxEvents: 150 });
    await harness.start();
    await harness.deliver(100, 50_000);
    await vi.advanceTimersByTimeAsync(0);
    expect(harness.flushes).toHaveLength(0);
    await harness.deliver(100, 49_900);
    await vi.advanceTimersByTimeAsync(0);
    expect(harness.flushedOffsets()).toEqual([200]);
  });
});
