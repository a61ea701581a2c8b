import type { Database } from '@lk/store';
import type { ComparisonReport, ComparisonSummary, RowClass, Scorecard } from './comparison';
import { ComparisonNotFoundError } from './errors';

interface ComparisonRecord {
  id: string;
  pipeline: string;
  left_source: string;
  right_source: string;
  left_jobs: string[];
  right_jobs: string[];
  trigger: string;
  status: 'completed' | 'failed';
  error: string | null;
  summary: ComparisonSummary | Record<string, never>;
  scorecard: Scorecard | Record<string, never>;
  started_at: Date;
  finished_at: Date;
  duration_ms: number;
}

/** One stored not-equal row of a comparison. */
export interface ComparisonRow {
  readonly key: string;
  readonly windowStart: number;
  readonly windowEnd: number;
  readonly partition: number | null;
  readonly class: Exclude<RowClass, 'equal'>;
  readonly reason: string;
  readonly leftValues: Record<string, number | null> | null;
  readonly rightValues: Record<string, number | null> | null;
  readonly leftAdjusted: Record<string, number | null> | null;
  readonly rightAdjusted: Record<string, number | null> | null;
  readonly lateEventIds: readonly string[];
}

/** Stored comparisons, as the CLI, the admin API and the dashboard read them. */
export class Comparisons {
  constructor(private readonly database: Database) {}

  async get(id: string): Promise<ComparisonReport> {
    const [record] = await this.database.query<ComparisonRecord & Record<string, unknown>>(
      'select * from comparisons where id = $1',
      [id],
    );
    if (!record) throw new ComparisonNotFoundError(id);
    return toReport(record);
  }

  /** Newest first. */
  async list(options: { pipeline?: string; limit?: number } = {}): Promise<ComparisonReport[]> {
    const records = await this.database.query<ComparisonRecord & Record<string, unknown>>(
      `select * from comparisons where ($1::text is null or pipeline = $1)
       order by started_at desc, id desc limit $2`,
      [options.pipeline ?? null, Math.min(Math.max(options.limit ?? 50, 1), 1000)],
    );
    return records.map(toReport);
  }

  /** The comparison's not-equal rows, of one class or all, in key and window order. */
  async rows(id: string, options: { class?: RowClass; limit?: number } = {}): Promise<ComparisonRow[]> {
    const rows = await this.database.query<{
      key: string;
      window_start: string;
      window_end: string;
      partition: number | null;
      class: ComparisonRow['class'];
      reason: string;
      left_values: ComparisonRow['leftValues'];
      right_values: ComparisonRow['rightValues'];
      left_adjusted: ComparisonRow['leftAdjusted'];
      right_adjusted: ComparisonRow['rightAdjusted'];
      late_event_ids: string[];
    }>(
      `select key, window_start, window_end, partition, class, reason, left_values, right_values, left_adjusted,
              right_adjusted, late_event_ids
       from comparison_rows where comparison_id = $1 and ($2::text is null or class = $2)
       order by key, window_start, window_end limit $3`,
      [id, options.class ?? null, Math.min(Math.max(options.limit ?? 1000, 1), 100_000)],
    );
    return rows.map((r) => ({
      key: r.key,
      windowStart: Number(r.window_start),
      windowEnd: Number(r.window_end),
      partition: r.partition,
      class: r.class,
      reason: r.reason,
      leftValues: r.left_values,
      rightValues: r.right_values,
      leftAdjusted: r.left_adjusted,
      rightAdjusted: r.right_adjusted,
      lateEventIds: r.late_event_ids,
    }));
  }
}

function toReport(record: ComparisonRecord): ComparisonReport {
  const hasSummary = Object.keys(record.summary).length > 0;
  const hasScorecard = Object.keys(record.scorecard).length > 0;
  const summary = hasSummary ? (record.summary as ComparisonSummary) : null;
  return {
    id: record.id,
    pipeline: record.pipeline,
    left: { source: record.left_source, jobs: record.left_jobs, rows: summary?.leftRows ?? 0 },
    right: { source: record.right_source, jobs: record.right_jobs, rows: summary?.rightRows ?? 0 },
    trigger: record.trigger,
    status: record.status,
    error: record.error,
    startedAt: record.started_at,
    finishedAt: record.finished_at,
    durationMs: record.duration_ms,
    summary,
    scorecard: hasScorecard ? (record.scorecard as Scorecard) : null,
  };
}
