import { ConfigError, EnvReader, loadStackSettings, type StackConfig } from '@lk/common';
import { readPipelinesFile } from '@lk/streaming';

/** Everything the merge service reads from its environment, validated once at start-up. */
export interface MergeConfig {
  /** Postgres (the comparisons) and Kafka (the scorecard's lag only): no other setting is read */
  readonly stack: Pick<StackConfig, 'databaseUrl' | 'kafkaBrokers'>;
  /** the pipelines compared on the schedule (pipelines.yaml order) and the only ones whose replays are compared */
  readonly pipelines: readonly string[];
  /** Lambda vs Kappa for every pipeline this often; 0 turns the schedule off */
  readonly compareIntervalMs: number;
  /** how often completed replays that have no comparison yet are looked for */
  readonly pollIntervalMs: number;
}

export function loadMergeConfig(env: Record<string, string | undefined> = process.env): MergeConfig {
  const read = new EnvReader(env);
  const stack = loadStackSettings(['postgres', 'kafka'], env) as MergeConfig['stack'];
  const all = readPipelinesFile(read.string('PIPELINES_FILE', './pipelines.yaml')).map((p) => p.name);
  const selected = (env.MERGE_PIPELINES ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  for (const name of selected)
    if (!all.includes(name))
      throw new ConfigError('MERGE_PIPELINES', `unknown pipeline "${name}" (known: ${all.join(', ')})`);
  return {
    stack,
    pipelines: selected.length > 0 ? all.filter((name) => selected.includes(name)) : all,
    compareIntervalMs: read.integer('MERGE_COMPARE_INTERVAL_MS', 600_000, { min: 0, max: 7 * 86_400_000 }),
    pollIntervalMs: read.integer('MERGE_POLL_INTERVAL_MS', 5_000, { min: 100, max: 3_600_000 }),
  };
}
