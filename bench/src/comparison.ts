// Comparisons (libs/comparisons) at scale against the real Postgres: a pipeline's speed version and a batch
// run with N windows each (100 k and 1 M), 1 % of them differing by one late event the speed version dropped
// (added back by the comparison), and order-dependent float noise on the sums of the others (equal within the
// tolerance). Reports the time of one Lambda-vs-Kappa comparison, median of the repeats, and its row counts.
import { randomUUID } from 'node:crypto';
import { loadStackConfig, Logger, runCli } from '@lk/common';
import { Comparator, type ComparisonReport } from '@lk/comparisons';
import { validatePipelines } from '@lk/operators';
import { Database } from '@lk/store';
import { machineInfo, median, writeResults } from './results';

interface Case {
  windows: number;
  /**
   * whether the sums of the equal windows differ in their last bits between the sides (another summation
   * order: the worst case, every row takes the tolerant comparison) or are identical (the usual case)
   */
  floatNoise: boolean;
}

interface Options {
  cases: Case[];
  repeats: number;
}

const FULL: Options = {
  cases: [
    { windows: 100_000, floatNoise: true },
    { windows: 1_000_000, floatNoise: true },
    { windows: 1_000_000, floatNoise: false },
  ],
  repeats: 3,
};
const QUICK: Options = { cases: [{ windows: 100_000, floatNoise: true }], repeats: 3 };

/** Windows per key: keys = windows / 10. */
const WINDOWS_PER_KEY = 10;
const MINUTE = 60_000;

interface SizeFigure {
  windows: number;
  floatNoise: boolean;
  /** seconds of one comparison (resolve, join, classify, summary, scorecard, store), per repeat */
  seconds: number[];
  medianSeconds: number;
  windowsPerSecond: number;
  rows: ComparisonReport['summary'] extends infer S ? (S extends { rows: infer R } ? R : never) : never;
  lateEventsInvolved: number;
  maxEqualDifference: unknown;
  /** of the last repeat */
  timingsMs: unknown;
}

export class ComparisonBench {
  readonly database: Database;
  readonly pipeline: string;
  readonly runId = `bench${randomUUID().slice(0, 8)}`;

  constructor(
    readonly windows: number,
    readonly floatNoise = true,
  ) {
    this.database = new Database(loadStackConfig().databaseUrl);
    this.pipeline = `bench_cmp_${randomUUID().slice(0, 8)}`;
  }

  get speedJob(): string {
    return `speed:${this.pipeline}:v1`;
  }

  async setUp(): Promise<void> {
    const [definition] = validatePipelines([
      {
        name: this.pipeline,
        source: 'bench-comparison',
        key: 'user_id',
        time: 'ts',
        window: { type: 'tumbling', size: '1m' },
        watermark: { maxOutOfOrderness: '10s' },
        allowedLateness: '1m',
        aggregations: [
          { name: 'events', fn: 'count' },
          { name: 'amount_sum', fn: 'sum', field: 'amount' },
          { name: 'amount_max', fn: 'max', field: 'amount' },
          { name: 'types', fn: 'count_distinct', field: 'event_type' },
        ],
      },
    ]);
    const keys = this.windows / WINDOWS_PER_KEY;
    const horizon = WINDOWS_PER_KEY * MINUTE * 100;
    const q = (sql: string, params: unknown[] = []) => this.database.query(sql, params);
    await q('insert into job_definitions (job_id, pipeline, version, definition) values ($1, $2, 1, $3)', [
      this.speedJob,
      this.pipeline,
      JSON.stringify(definition),
    ]);
    await q(
      `insert into replay_runs (id, mode, pipeline, job_id, group_id, topic, from_spec, definition, status, started_at,
                                finished_at)
       values ($1, 'batch', $2, $3, $4, 'bench-comparison', 'earliest', $5, 'completed', now(), now())`,
      [
        this.runId,
        this.pipeline,
        `batch:${this.runId}`,
        `lk-batch-${this.runId}`,
        JSON.stringify(definition),
      ],
    );
    await q(
      `insert into replay_partitions (run_id, partition, start_offset, end_offset, next_offset, events, done, horizon)
       select $1, p, 0, $2, $2, $2, true, $3 from generate_series(0, 11) p`,
      [this.runId, Math.ceil((keys * WINDOWS_PER_KEY * 3) / 12), horizon],
    );
    await q(
      `insert into partition_state (job_id, topic, partition, next_offset, watermark, pipeline)
       select $1, 'bench-comparison', p, $2, $3, $4 from generate_series(0, 11) p`,
      [this.speedJob, Math.ceil((keys * WINDOWS_PER_KEY * 3) / 12), horizon, this.pipeline],
    );
    // batch: 3 events per window (amounts 10.1 + 10.2 + 10.3, types view/click); speed: the same, except the
    // windows of every 100th key at minute 5, which lack the last event (dropped as late), and sums whose
    // last bits differ (another summation order) elsewhere
    const rows = (job: string, speed: boolean) =>
      q(
        `insert into window_results (job_id, pipeline, partition, key, window_start, window_end, values, revision,
                                     final, accumulators)
         select $1, $2, k % 12, 'u' || k, w * ${MINUTE}, (w + 1) * ${MINUTE},
                case when late then jsonb_build_object('events', 2, 'amount_sum', 20.299999999999997, 'amount_max', 10.2, 'types', 2)
                     else jsonb_build_object('events', 3, 'amount_sum', case when $3 and $5 then 30.599999999999998 else 30.6 end,
                                             'amount_max', 10.3, 'types', 2) end,
                1, true,
                case when not $3 then null
                     when late then '[2, 20.299999999999997, 10.2, ["view", "click"]]'::jsonb
                     else '[3, 30.599999999999998, 10.3, ["view", "click"]]'::jsonb end
         from generate_series(1, $4::int) k, generate_series(0, ${WINDOWS_PER_KEY - 1}) w,
              lateral (select $3 and k % 100 = 0 and w = 5 as late) l`,
        [job, this.pipeline, speed, keys, this.floatNoise],
      );
    await rows(`batch:${this.runId}`, false);
    await rows(this.speedJob, true);
    await q(
      `insert into late_events (job_id, pipeline, topic, partition, "offset", key, window_start, window_end, watermark, event)
       select $1, $2, 'bench-comparison', k % 12, k, 'u' || k, 5 * ${MINUTE}, 6 * ${MINUTE}, 0,
              jsonb_build_object('user_id', 'u' || k, 'ts', 5 * ${MINUTE} + 1, 'amount', 10.3, 'event_type', 'view',
                                 'event_id', 'late-' || k)
       from generate_series(100, $3::int, 100) k`,
      [this.speedJob, this.pipeline, keys],
    );
    // as autovacuum would have it after a load: statistics for the planner, no dead tuples of earlier runs
    await q('vacuum analyze window_results');
    await q('vacuum analyze late_events');
  }

  async cleanUp(): Promise<void> {
    const q = (sql: string) => this.database.query(sql, [this.pipeline]);
    await q('delete from comparisons where pipeline = $1');
    await q('delete from window_results where pipeline = $1');
    await q('delete from late_events where pipeline = $1');
    await q('delete from partition_state where pipeline = $1');
    await q('delete from job_definitions where pipeline = $1');
    await q('delete from replay_runs where pipeline = $1');
    await this.database.close();
  }
}

export async function runComparisonBench(options: Options = FULL): Promise<string> {
  const date = new Date().toISOString();
  const log = (line: string): void => void process.stderr.write(`[comparison bench] ${line}\n`);
  const figures: SizeFigure[] = [];
  for (const { windows, floatNoise } of options.cases) {
    const bench = new ComparisonBench(windows, floatNoise);
    try {
      log(`${windows} windows per side${floatNoise ? ', float noise' : ''}: loading`);
      await bench.setUp();
      const comparator = new Comparator({
        database: bench.database,
        logger: new Logger('bench', {}, 'warn'),
      });
      const seconds: number[] = [];
      let report: ComparisonReport | undefined;
      for (let i = 0; i < options.repeats; i++) {
        const started = process.hrtime.bigint();
        report = await comparator.compare({ pipeline: bench.pipeline, trigger: 'bench' });
        seconds.push(Number(process.hrtime.bigint() - started) / 1e9);
      }
      const medianSeconds = median(seconds);
      figures.push({
        windows,
        floatNoise,
        seconds: seconds.map((s) => Number(s.toFixed(3))),
        medianSeconds: Number(medianSeconds.toFixed(3)),
        windowsPerSecond: Math.round(windows / medianSeconds),
        rows: report!.summary!.rows,
        lateEventsInvolved: report!.summary!.lateEventsInvolved,
        maxEqualDifference: report!.summary!.maxEqualDifference,
        timingsMs: report!.summary!.timingsMs,
      });
      log(
        `${windows} windows: median ${medianSeconds.toFixed(2)} s (${seconds.map((s) => s.toFixed(2)).join(', ')})`,
      );
    } finally {
      await bench.cleanUp();
    }
  }
  const file = writeResults('comparison', date, {
    benchmark: 'comparison',
    date,
    machine: machineInfo(),
    options,
    figures,
  });
  log(`results in ${file}`);
  return file;
}

async function main(args: string[]): Promise<void> {
  await runComparisonBench(args.includes('--quick') ? QUICK : FULL);
}

if (require.main === module) void runCli(main, { name: 'bench-comparison', forceExit: true });
