/** How one window compares between the two sides. */
export type RowClass = 'equal' | 'explained' | 'unexplained' | 'only_left' | 'only_right' | 'pending';

export const ROW_CLASSES: readonly RowClass[] = [
  'equal',
  'explained',
  'unexplained',
  'only_left',
  'only_right',
  'pending',
];

export interface ComparisonRequest {
  readonly pipeline: string;
  /** lambda | kappa | speed:vN | batch:RUN | batch:latest; default lambda */
  readonly left?: string;
  /** default kappa */
  readonly right?: string;
  /** why it runs: 'cli', 'api', 'schedule', 'replay:<run id>' */
  readonly trigger?: string;
}

/** One side as the comparison read it. */
export interface ComparedSide {
  readonly source: string;
  readonly jobs: readonly string[];
  readonly rows: number;
}

export interface ComparisonSummary {
  /** windows on each side */
  readonly leftRows: number;
  readonly rightRows: number;
  readonly rows: Readonly<Record<RowClass, number>>;
  /** the tolerance sum and avg are compared within: |a − b| <= max(relative · max(|a|, |b|), absolute) */
  readonly tolerance: { readonly relative: number; readonly absolute: number };
  /** per sum/avg aggregation: the largest difference seen among rows classed equal */
  readonly maxEqualDifference: Readonly<Record<string, { absolute: number; relative: number }>>;
  /** per aggregation: Σ |left − right| over the rows that are not equal (a missing value counts as 0) */
  readonly totalAbsoluteDelta: Readonly<Record<string, number>>;
  /** distinct late events (per side's job) that the not-equal rows involve */
  readonly lateEventsInvolved: number;
  /** rows per (class, reason), most frequent first */
  readonly reasons: readonly { class: RowClass; reason: string; rows: number }[];
  /** where the comparison's time went, per step (prepare, join, explain, classify, summarize, scorecard) */
  readonly timingsMs: Readonly<Record<string, number>>;
}

export interface ComparisonReport {
  readonly id: string;
  readonly pipeline: string;
  readonly left: ComparedSide;
  readonly right: ComparedSide;
  readonly trigger: string;
  readonly status: 'completed' | 'failed';
  readonly error: string | null;
  readonly startedAt: Date;
  readonly finishedAt: Date;
  readonly durationMs: number;
  readonly summary: ComparisonSummary | null;
  readonly scorecard: Scorecard | null;
}

/** How fresh one streaming job's results are. */
export interface JobFreshness {
  readonly jobId: string;
  /** records in the log not yet reflected in the results (null when Kafka could not be asked) */
  readonly lagRecords: number | null;
  /** wall clock minus the job's lowest partition watermark: how far event time trails now */
  readonly watermarkDelayMs: number | null;
  readonly watermark: number | null;
  /** wall clock minus the job's last flush */
  readonly lastFlushAgoMs: number | null;
}

export interface ReplayFigures {
  readonly runId: string;
  readonly jobId: string;
  readonly durationMs: number;
  readonly events: number;
  readonly eventsPerSecond: number;
  readonly finishedAt: Date;
}

export interface LateDrops {
  readonly jobId: string;
  readonly version: number | null;
  /** distinct events dropped as late */
  readonly events: number;
  /** (event, window) pairs dropped */
  readonly windows: number;
}

/** The effect of a changed definition, when both sides are streaming versions of the pipeline. */
export interface WhatIf {
  readonly leftJob: string;
  readonly rightJob: string;
  /** late events the left dropped (distinct events, whatever the number of their windows) */
  readonly leftLateEvents: number;
  /** late events the left dropped minus those the right dropped */
  readonly lateEventsSaved: number;
  /** windows whose results differ (every class but equal) */
  readonly windowsChanged: number;
  /**
   * How much later the right's results are final than the left's: the difference of
   * maxOutOfOrderness + allowedLateness (negative: earlier)
   */
  readonly extraFinalLatencyMs: number;
}

export interface Scorecard {
  readonly generatedAt: Date;
  readonly speed: JobFreshness | null;
  readonly kappa: JobFreshness | null;
  readonly sides: { readonly left: JobFreshness | null; readonly right: JobFreshness | null };
  readonly lastBatchRun: ReplayFigures | null;
  readonly lastKappaReplay: ReplayFigures | null;
  readonly lateDrops: readonly LateDrops[];
  readonly rows: Readonly<Record<RowClass, number>>;
  readonly whatIf: WhatIf | null;
}

/** The log end offsets of a topic per partition; how the scorecard measures lag (Kafka is the caller's). */
export type EndOffsetsReader = (topic: string) => Promise<ReadonlyMap<number, number | bigint>>;
