import { ConfigError, EnvReader, loadStackConfig, type StackConfig } from '@lk/common';
import type { Pipeline } from '@lk/operators';
import { readPipelinesFile } from '@lk/streaming';

/** Everything the speed service reads from its environment, validated once at start-up. */
export interface SpeedConfig {
  readonly stack: StackConfig;
  readonly pipelinesFile: string;
  /** the selected pipelines, in pipelines.yaml order */
  readonly pipelines: readonly Pipeline[];
  readonly version: number;
  /** flush at the latest this long after the first unflushed event */
  readonly flushIntervalMs: number;
  /** flush as soon as this many events are unflushed */
  readonly flushMaxEvents: number;
  /**
   * the flush interval while the job is catching up (its consumer lag above `catchUpLag` records): results
   * are far behind anyway, and every flush rewrites each window changed since the last one, so flushing
   * less often then writes fewer rows per event (Postgres' upserts are what limits a replay's rate)
   */
  readonly catchUpFlushIntervalMs: number;
  /** consumer lag (records, over the job's partitions) above which the job is catching up */
  readonly catchUpLag: number;
  /** records larger than this go to the DLQ */
  readonly maxRecordBytes: number;
  /**
   * how long the group waits for a member that stopped heartbeating (a kill -9) before its partitions move;
   * the broker accepts 6 s to 5 min by default
   */
  readonly sessionTimeoutMs: number;
}

export function loadSpeedConfig(env: Record<string, string | undefined> = process.env): SpeedConfig {
  const read = new EnvReader(env);
  const stack = loadStackConfig(env);
  const pipelinesFile = read.string('PIPELINES_FILE', './pipelines.yaml');
  const all = readPipelinesFile(pipelinesFile);
  const selected = (env.SPEED_PIPELINES ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  for (const name of selected) {
    if (!all.some((pipeline) => pipeline.name === name)) {
      throw new ConfigError(
        'SPEED_PIPELINES',
        `no pipeline "${name}" in ${pipelinesFile} (defined: ${all.map((p) => p.name).join(', ')})`,
      );
    }
  }
  const pipelines = selected.length === 0 ? all : all.filter((pipeline) => selected.includes(pipeline.name));
  return {
    stack,
    pipelinesFile,
    pipelines,
    version: read.integer('SPEED_VERSION', 1, { min: 1, max: 1_000_000 }),
    flushIntervalMs: read.integer('SPEED_FLUSH_INTERVAL_MS', 5, { min: 1, max: 600_000 }),
    flushMaxEvents: read.integer('SPEED_FLUSH_MAX_EVENTS', 1_000_000, { min: 1, max: 10_000_000 }),
    catchUpFlushIntervalMs: read.integer('SPEED_CATCH_UP_FLUSH_INTERVAL_MS', 1_000, { min: 1, max: 600_000 }),
    catchUpLag: read.integer('SPEED_CATCH_UP_LAG', 10_000, { min: 0, max: 1_000_000_000 }),
    maxRecordBytes: read.integer('SPEED_MAX_RECORD_BYTES', 64 * 1024, { min: 64, max: 100 * 1024 * 1024 }),
    sessionTimeoutMs: read.integer('SPEED_SESSION_TIMEOUT_MS', 30_000, { min: 6_000, max: 300_000 }),
  };
}
