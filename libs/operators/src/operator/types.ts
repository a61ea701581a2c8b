import type { JsonValue } from '../aggregators/aggregator';

/** The newest state of one (key, window): upsert it; `final` ones never change again. */
export interface ResultChange {
  readonly pipeline: string;
  readonly key: string;
  readonly windowStart: number;
  readonly windowEnd: number;
  /** Aggregation name → result; null where the aggregation saw no value (min of nothing, like SQL). */
  readonly values: Record<string, number | null>;
  /** Increases with every change of this window (each event added, and becoming final). */
  readonly revision: number;
  readonly final: boolean;
  /** With the operator's emitAccumulators: the open window's state, one entry per aggregation. */
  readonly accumulators?: JsonValue[];
}

/** A previously emitted session window that no longer exists because it grew or merged: delete it. */
export interface WindowRetraction {
  readonly pipeline: string;
  readonly key: string;
  readonly windowStart: number;
  readonly windowEnd: number;
}

/** An event dropped from one window because that window was already final on its partition. */
export interface LateRecord<E = unknown> {
  readonly event: E;
  /** The key the event was placed under (read from its key path, or the record key for `$key`). */
  readonly key: string;
  readonly windowStart: number;
  readonly windowEnd: number;
  /** The partition's watermark when the event was judged. */
  readonly watermark: number;
  /** The offset the event was read at, when it came with one. */
  readonly offset?: number;
}

/**
 * What accumulated since the last flush, coalesced per window: each window appears at most once in
 * `changes`. Apply retractions before changes (they never name a window that `changes` holds).
 */
export interface OperatorOutput<E = unknown> {
  readonly changes: ResultChange[];
  readonly retractions: WindowRetraction[];
  readonly late: LateRecord<E>[];
}

/** A consumed record: the decoded event, where it was in the log. */
export interface SourceRecord<E> {
  readonly value: E;
  readonly partition: number;
  /** The Kafka offset; when given, records below the partition's next offset are skipped as already applied. */
  readonly offset?: number;
  /**
   * The Kafka record timestamp, epoch ms: what the pipeline's maxEventTimeSkew bounds event time by
   * (required when the pipeline has one, ignored otherwise).
   */
  readonly timestamp?: number;
  /** The Kafka record key: the key of a pipeline keyed by `$key` (bytes are read as UTF-8). */
  readonly key?: string | Uint8Array | null;
}
