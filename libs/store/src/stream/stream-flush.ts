/**
 * One window's newest result; `accumulators` holds the window's state (open: to restore it; final: so a
 * comparison can add the late events the window dropped back to it).
 */
export interface WindowRow {
  readonly partition: number;
  readonly key: string;
  readonly windowStart: number;
  readonly windowEnd: number;
  readonly values: Record<string, number | null>;
  readonly revision: number;
  readonly final: boolean;
  readonly accumulators: unknown[] | null;
}

/** A window that no longer exists (a session that grew or merged): its row is deleted. */
export interface RetractedWindow {
  readonly partition: number;
  readonly key: string;
  readonly windowStart: number;
  readonly windowEnd: number;
}

/** One (event, window) the stream dropped as late. */
export interface LateEventRow {
  readonly partition: number;
  readonly offset: number;
  readonly key: string;
  readonly windowStart: number;
  readonly windowEnd: number;
  readonly watermark: number;
  readonly event: unknown;
}

/** Where a partition stands after the flush: everything below `nextOffset` is in the results. */
export interface PartitionProgress {
  readonly partition: number;
  /** the owner epoch this writer claimed the partition with; a changed epoch fences the write */
  readonly epoch: number;
  readonly nextOffset: number;
  /** null before the partition's first event */
  readonly maxEventTime: number | null;
  readonly watermark: number | null;
}

/** Everything one flush writes, in one transaction. */
export interface StreamFlush {
  readonly jobId: string;
  readonly pipeline: string;
  readonly topic: string;
  readonly changes: readonly WindowRow[];
  readonly retractions: readonly RetractedWindow[];
  readonly late: readonly LateEventRow[];
  /** sessions: keys whose latest final session end changed */
  readonly frontiers: readonly { partition: number; key: string; frontier: number }[];
  readonly partitions: readonly PartitionProgress[];
  /**
   * Session pipelines with `stateRetention` R (ms): the flush also deletes the job's frontier rows of its
   * partitions with `frontier + R <= watermark` (the watermark it records for the partition), the frontiers
   * the operator has released. Absent: frontier rows are kept.
   */
  readonly stateRetention?: number;
}

export interface FlushOutcome {
  /** partitions whose rows were written */
  readonly written: number[];
  /** partitions another owner claimed since this writer did: nothing of theirs was written */
  readonly fenced: number[];
}

/** The state a partition's new owner resumes from. */
export interface ClaimedPartition {
  readonly partition: number;
  readonly epoch: number;
  /** 0 when the job never flushed this partition: it starts from the earliest retained offset */
  readonly nextOffset: number;
  readonly maxEventTime: number | null;
  readonly openWindows: WindowRow[];
  readonly frontiers: [string, number][];
}
