import { EnvReader, loadStackConfig, type StackConfig } from '@lk/common';
import { queuePrefixFrom } from '@lk/replays';
import type { Pipeline } from '@lk/operators';
import { readPipelinesFile } from '@lk/streaming';

/** Everything the batch workers read from their environment, validated once at start-up. */
export interface BatchConfig {
  readonly stack: StackConfig;
  readonly pipelinesFile: string;
  readonly pipelines: readonly Pipeline[];
  /** partition jobs this process runs at once */
  readonly concurrency: number;
  /** a replay flushes its partition at most this often (one transaction per flush) */
  readonly flushIntervalMs: number;
  /** records larger than this go to the DLQ */
  readonly maxRecordBytes: number;
  /** how many bytes of its partition one fetch brings at most (Kafka's max.partition.fetch.bytes) */
  readonly fetchMaxBytes: number;
  /** BullMQ's key prefix, as the launchers of this stack use it */
  readonly queuePrefix: string;
  /**
   * How long a partition job's lock lasts without renewal (BullMQ's lockDuration; renewed at half of it):
   * a worker that died leaves its jobs to others after this, checked every half of it.
   */
  readonly lockDurationMs: number;
}

export function loadBatchConfig(env: Record<string, string | undefined> = process.env): BatchConfig {
  const read = new EnvReader(env);
  return {
    stack: loadStackConfig(env),
    ...pipelinesOf(read.string('PIPELINES_FILE', './pipelines.yaml')),
    concurrency: read.integer('BATCH_CONCURRENCY', 2, { min: 1, max: 64 }),
    flushIntervalMs: read.integer('BATCH_FLUSH_INTERVAL_MS', 1_000, { min: 10, max: 600_000 }),
    maxRecordBytes: read.integer('BATCH_MAX_RECORD_BYTES', 64 * 1024, { min: 64, max: 100 * 1024 * 1024 }),
    fetchMaxBytes: read.integer('BATCH_FETCH_MAX_BYTES', 1024 * 1024, { min: 1024, max: 100 * 1024 * 1024 }),
    queuePrefix: queuePrefixFrom(env),
    lockDurationMs: read.integer('BATCH_LOCK_DURATION_MS', 30_000, { min: 5_000, max: 600_000 }),
  };
}

function pipelinesOf(file: string): { pipelinesFile: string; pipelines: Pipeline[] } {
  return { pipelinesFile: file, pipelines: readPipelinesFile(file) };
}
