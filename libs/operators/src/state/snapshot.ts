import type { JsonValue } from '../aggregators/aggregator';

export const PARTITION_SNAPSHOT_FORMAT = 'lk-operators/partition@1';
export const OPERATOR_SNAPSHOT_FORMAT = 'lk-operators/operator@1';

/** One open window. */
export interface WindowSnapshot {
  readonly key: string;
  readonly start: number;
  readonly end: number;
  readonly revision: number;
  /** One entry per aggregation, in pipeline order, as encoded by the aggregator. */
  readonly accumulators: JsonValue[];
  /** Session windows: the bounds last emitted, still to be retracted if the session has changed since. */
  readonly published?: readonly [number, number];
}

/**
 * Everything a partition's operator state holds, as plain JSON: restoring it and feeding the records from
 * `nextOffset` on continues exactly like the uninterrupted run.
 */
export interface PartitionSnapshot {
  readonly format: typeof PARTITION_SNAPSHOT_FORMAT;
  readonly pipeline: string;
  /** The configuration the state was built under; restoring under another one is refused. */
  readonly fingerprint: string;
  readonly partition: number;
  /** Highest event time seen; null before the first event. */
  readonly maxEventTime: number | null;
  /** Whether the end-of-input (+∞) watermark was applied. */
  readonly endOfInput: boolean;
  /** Offset after the last applied record; null when records came without offsets. */
  readonly nextOffset: number | null;
  readonly windows: WindowSnapshot[];
  /** Sessions: per key, the end of its latest final session (events at or before it are late). */
  readonly finalFrontiers: [string, number][];
}

export interface OperatorSnapshot {
  readonly format: typeof OPERATOR_SNAPSHOT_FORMAT;
  readonly pipeline: string;
  readonly fingerprint: string;
  readonly partitions: PartitionSnapshot[];
}
