/** Durations are milliseconds throughout; `duration.ts` turns `1m` into 60000. */
export type WindowSpec =
  | { readonly type: 'tumbling'; readonly size: number; readonly offset: number }
  | { readonly type: 'sliding'; readonly size: number; readonly slide: number; readonly offset: number }
  | { readonly type: 'session'; readonly gap: number };

export interface AggregationSpec {
  /** The key of this aggregation in a result's `values`. */
  readonly name: string;
  /** A built-in (count, sum, min, max, avg, count_distinct) or a name from the aggregator registry. */
  readonly fn: string;
  /**
   * The event field fed to `fn`, a dotted path into nested records (`payload.amount`); absent for count
   * (every event) and for user fns that take the event.
   */
  readonly field?: string;
}

export type RecordFormat = 'avro' | 'json';

export const RECORD_FORMATS: readonly RecordFormat[] = ['avro', 'json'];

/** One validated entry of pipelines.yaml. */
export interface Pipeline {
  readonly name: string;
  /** The Kafka topic the pipeline reads. */
  readonly source: string;
  /**
   * How the source's record values are written: `avro` (Confluent wire format, writer schema by id from the
   * registry; the default) or `json` (a UTF-8 JSON object per value). Absent means avro.
   */
  readonly format?: RecordFormat;
  /** For avro: the subject whose versions the pipeline reads. Absent means `<source>-value` (TopicNameStrategy). */
  readonly subject?: string;
  /** Path of the key (string or number), dotted into nested records, or `$key` for the Kafka record key. */
  readonly key: string;
  /**
   * Path of the event time (epoch milliseconds; Avro timestamp-micros is read as milliseconds), or
   * `$timestamp` for the Kafka record timestamp.
   */
  readonly time: string;
  readonly window: WindowSpec;
  readonly watermark: { readonly maxOutOfOrderness: number };
  readonly allowedLateness: number;
  readonly aggregations: readonly AggregationSpec[];
  /**
   * How far event time may run ahead of the Kafka record timestamp; an event beyond it is refused
   * (EventTimeSkewError → DLQ) before it reaches a watermark. Absent: no bound, record timestamps unused.
   */
  readonly maxEventTimeSkew?: number;
  /**
   * The horizon of key state in stream mode: an event with `t + stateRetention <= wm(p)` is late, so a
   * session key's final frontier F(k) can be released once `F(k) + stateRetention <= wm(p)`. At least the
   * window's extent (size, or gap for sessions) plus allowedLateness. Absent: session frontiers are kept
   * until the end of input, as before the field existed.
   */
  readonly stateRetention?: number;
}
