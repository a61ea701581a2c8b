import { Logger, serializeError, sortableId } from '@lk/common';
import { SUM_ABSOLUTE_TOLERANCE, SUM_RELATIVE_TOLERANCE, type Pipeline } from '@lk/operators';
import { definitionDifferences, type Database, type PoolClient } from '@lk/store';
import type {
  ComparisonReport,
  ComparisonRequest,
  ComparisonSummary,
  EndOffsetsReader,
  RowClass,
} from './comparison';
import { ROW_CLASSES } from './comparison';
import { ComparisonRequestError } from './errors';
import { ScorecardBuilder } from './scorecard-builder';
import { ComparisonStatements, type Side } from './sql/comparison-statements';
import { valueOf } from './sql/aggregation-sql';
import type { ResolvedSource } from './sources/resolved-source';
import { SourceResolver } from './sources/source-resolver';
import { parseSource } from './sources/source-spec';

/** work_mem of a comparison's transaction: enough to hash 1 M windows of one side without spilling. */
const COMPARISON_WORK_MEM = '1GB';

export interface ComparatorOptions {
  readonly database: Database;
  readonly logger?: Logger;
  /** Kafka's log end offsets, for the scorecard's lag; without it lag is reported as null */
  readonly endOffsets?: EndOffsetsReader;
}

/**
 * Runs comparisons: both sides read in one snapshot (a repeatable-read transaction), joined and classified in
 * set-based SQL, stored in `comparisons` and `comparison_rows` in that transaction. Unexplained rows are a bug
 * somewhere in the platform, so they are logged as an error.
 */
export class Comparator {
  private readonly logger: Logger;

  constructor(private readonly options: ComparatorOptions) {
    this.logger = options.logger ?? new Logger('comparisons');
  }

  async compare(request: ComparisonRequest): Promise<ComparisonReport> {
    const pipeline = request.pipeline?.trim();
    if (!pipeline) throw new ComparisonRequestError('pipeline', 'expected a pipeline name');
    const leftSpec = parseSource(request.left ?? 'lambda', 'left');
    const rightSpec = parseSource(request.right ?? 'kappa', 'right');
    const trigger = request.trigger ?? 'api';
    const id = sortableId();
    const startedAt = new Date();
    const report = await this.options.database.transaction(async (client) => {
      await client.query('set transaction isolation level repeatable read');
      // The join of both sides hashes one of them and the Lambda view sorts its batch rows: in memory rather
      // than in many spilled batches (the 4 MB default makes a 1 M-window comparison several times slower).
      await client.query(`set local work_mem = '${COMPARISON_WORK_MEM}'`);
      // the statements' many expressions and high estimates (temporary tables) make PostgreSQL JIT-compile
      // them: ~1 s per statement, more than the statements themselves take
      await client.query('set local jit = off');
      const resolver = new SourceResolver(client, pipeline);
      const left = await resolver.resolve(leftSpec, 'left');
      const right = await resolver.resolve(rightSpec, 'right');
      requireComparable(left, right);
      return this.run(client, { id, pipeline, trigger, startedAt, sources: { left, right } });
    });
    const { summary } = report;
    const fields = {
      comparison: report.id,
      pipeline,
      left: report.left.source,
      right: report.right.source,
      trigger,
      durationMs: report.durationMs,
      rows: summary?.rows,
    };
    if (summary && summary.rows.unexplained > 0)
      this.logger.error('comparison found unexplained differences', {
        ...fields,
        firstReasons: summary.reasons.filter((r) => r.class === 'unexplained').slice(0, 3),
      });
    else this.logger.info('comparison completed', fields);
    return report;
  }

  /**
   * Records a comparison that could not run, so the admin API and the scheduler see it; logged as an error
   * unless the caller says it is expected (a request that cannot be compared, e.g. no version has run yet).
   */
  async recordFailure(
    request: ComparisonRequest,
    error: unknown,
    startedAt: Date,
    options: { log?: boolean } = {},
  ): Promise<void> {
    if (options.log ?? true)
      this.logger.error('comparison failed', {
        pipeline: request.pipeline,
        error: serializeError(error as Error),
      });
    await this.options.database
      .query(
        `insert into comparisons (id, pipeline, left_source, right_source, left_jobs, right_jobs, trigger, status,
                                  error, started_at, duration_ms)
         values ($1, $2, $3, $4, '{}', '{}', $5, 'failed', $6, $7, $8)`,
        [
          sortableId(),
          request.pipeline,
          request.left ?? 'lambda',
          request.right ?? 'kappa',
          request.trigger ?? 'api',
          (error as Error).message ?? String(error),
          startedAt,
          Date.now() - +startedAt,
        ],
      )
      .catch(() => undefined);
  }

  private async run(
    client: PoolClient,
    run: {
      id: string;
      pipeline: string;
      trigger: string;
      startedAt: Date;
      sources: Record<Side, ResolvedSource>;
    },
  ): Promise<ComparisonReport> {
    const { id, pipeline, sources } = run;
    const definition = sources.left.definition;
    const statements = new ComparisonStatements(definition, sources);
    await client.query(
      `insert into comparisons (id, pipeline, left_source, right_source, left_jobs, right_jobs, trigger, status,
                                started_at)
       values ($1, $2, $3, $4, $5, $6, $7, 'completed', $8)`,
      [
        id,
        pipeline,
        sources.left.spec,
        sources.right.spec,
        sources.left.jobs,
        sources.right.jobs,
        run.trigger,
        run.startedAt,
      ],
    );
    const timings: Record<string, number> = {};
    const timed = async <T>(step: string, work: () => Promise<T>): Promise<T> => {
      const started = performance.now();
      try {
        return await work();
      } finally {
        timings[step] = Math.round(performance.now() - started);
      }
    };
    await timed('prepare', async () => {
      for (const sql of statements.createTables()) await client.query(sql);
    });
    const joined = await timed(
      'join',
      async () => (await client.query(statements.join())).rows[0] as Record<string, string | number | null>,
    );
    await timed('explain', async () => {
      for (const sql of statements.indexed('cmp_diff')) await client.query(sql);
      for (const side of ['left', 'right'] as const) await client.query(statements.islands(side));
      for (const sql of statements.indexed('cmp_islands')) await client.query(sql);
      await client.query(statements.pairs());
      for (const sql of statements.indexed('cmp_pairs')) await client.query(sql);
    });
    await timed('classify', () => client.query(statements.classify(), [id]));

    const summary = await timed('summarize', () =>
      this.summarize(client, id, definition, statements.tolerantAggregations, joined, timings),
    );
    const scorecard = await timed('scorecard', () =>
      new ScorecardBuilder(client, this.options.endOffsets).build({
        pipeline,
        topic: definition.source,
        sources,
        rows: summary.rows,
      }),
    );
    const finishedAt = new Date();
    const durationMs = +finishedAt - +run.startedAt;
    const { rows } = summary;
    await client.query(
      `update comparisons set equal_rows = $2, explained_rows = $3, unexplained_rows = $4, only_left_rows = $5,
              only_right_rows = $6, pending_rows = $7, summary = $8, scorecard = $9, finished_at = $10,
              duration_ms = $11
       where id = $1`,
      [
        id,
        rows.equal,
        rows.explained,
        rows.unexplained,
        rows.only_left,
        rows.only_right,
        rows.pending,
        JSON.stringify(summary),
        JSON.stringify(scorecard),
        finishedAt,
        durationMs,
      ],
    );
    return {
      id,
      pipeline,
      left: { source: sources.left.spec, jobs: sources.left.jobs, rows: summary.leftRows },
      right: { source: sources.right.spec, jobs: sources.right.jobs, rows: summary.rightRows },
      trigger: run.trigger,
      status: 'completed',
      error: null,
      startedAt: run.startedAt,
      finishedAt,
      durationMs,
      summary,
      scorecard,
    };
  }

  private async summarize(
    client: PoolClient,
    id: string,
    definition: Pipeline,
    tolerant: readonly string[],
    joined: Record<string, string | number | null>,
    timingsMs: Readonly<Record<string, number>>,
  ): Promise<ComparisonSummary> {
    const rows = Object.fromEntries(ROW_CLASSES.map((c) => [c, 0])) as Record<RowClass, number>;
    rows.equal = Number(joined.equal_rows);
    const reasons = (
      await client.query<{ class: RowClass; reason: string; rows: string }>(
        `select class, reason, count(*) as rows from comparison_rows where comparison_id = $1
         group by class, reason order by count(*) desc, class, reason`,
        [id],
      )
    ).rows.map((r) => ({ class: r.class, reason: r.reason, rows: Number(r.rows) }));
    for (const reason of reasons) rows[reason.class] += reason.rows;

    const numeric = (values: string, name: string): string =>
      `coalesce(case when jsonb_typeof(${valueOf(values, name)}) = 'number' then (${valueOf(values, name)})::float8 end, 0)`;
    const deltaColumns = definition.aggregations.map(
      ({ name }, i) =>
        `sum(abs(${numeric('left_values', name)} - ${numeric('right_values', name)})) as delta_${i}`,
    );
    const [deltas] = (
      await client.query<Record<string, number | null>>(
        `select ${deltaColumns.join(', ')} from comparison_rows where comparison_id = $1`,
        [id],
      )
    ).rows;
    const totalAbsoluteDelta = Object.fromEntries(
      definition.aggregations.map(({ name }, i) => [name, Number(deltas?.[`delta_${i}`] ?? 0)]),
    );
    const [late] = (
      await client.query<{ events: string }>(
        `select count(distinct (x ->> 'jobId', x ->> 'partition', x ->> 'offset')) as events
         from comparison_rows, jsonb_array_elements(late_events) x where comparison_id = $1`,
        [id],
      )
    ).rows;
    const maxEqualDifference = Object.fromEntries(
      tolerant.map((name, i) => [
        name,
        { absolute: Number(joined[`max_abs_${i}`] ?? 0), relative: Number(joined[`max_rel_${i}`] ?? 0) },
      ]),
    );
    return {
      leftRows: Number(joined.left_rows),
      rightRows: Number(joined.right_rows),
      rows,
      tolerance: { relative: SUM_RELATIVE_TOLERANCE, absolute: SUM_ABSOLUTE_TOLERANCE },
      maxEqualDifference,
      totalAbsoluteDelta,
      lateEventsInvolved: Number(late?.events ?? 0),
      reasons,
      // filled in as the steps end (the summary's own and the scorecard's included)
      timingsMs,
    };
  }
}

/**
 * Two sides compare window by window only when they cut the same windows and aggregate the same way; the
 * watermark and the allowed lateness may differ (a what-if).
 */
function requireComparable(left: ResolvedSource, right: ResolvedSource): void {
  const shape = (source: ResolvedSource) => ({
    source: source.definition.source,
    key: source.definition.key,
    time: source.definition.time,
    window: source.definition.window,
    aggregations: source.definition.aggregations,
  });
  const differences = definitionDifferences(shape(left), shape(right));
  if (differences.length > 0)
    throw new ComparisonRequestError(
      'right',
      `${right.spec} does not compute the same windows as ${left.spec}: ${differences.join('; ')}`,
    );
}
