/** What JSON can carry: snapshots of accumulators must survive JSON.stringify/parse unchanged. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * A user-defined aggregation, shaped like Flink's AggregateFunction / Beam's CombineFn. `merge` must be
 * associative (sessions merge partial results in whatever order they meet); `add` and `merge` may reuse and
 * return their first argument but must not modify the second.
 */
export interface Aggregator<Acc = unknown, In = unknown> {
  /**
   * The values `add` accepts, checked before any state changes so a bad event cannot half-apply:
   * 'number' = finite numbers, 'primitive' = strings, finite numbers and booleans, 'any' = anything.
   */
  readonly input: 'number' | 'primitive' | 'any';
  /** 'number' accumulators live unboxed in a Float64Array column: no object per open window. */
  readonly accumulator: 'number' | 'object';
  /** True when `merge(a, b)` equals `merge(b, a)`; property-tested for the built-ins. */
  readonly commutative: boolean;
  create(): Acc;
  add(acc: Acc, value: In): Acc;
  merge(a: Acc, b: Acc): Acc;
  /** null when there is nothing to report (min of no values), mirroring SQL's NULL. */
  result(acc: Acc): number | null;
  /** Snapshot encoding; the default is the accumulator itself, which must then be JSON. */
  toJSON?(acc: Acc): JsonValue;
  fromJSON?(json: JsonValue): Acc;
}

/** Name → aggregator, for the `fn` of a pipeline's aggregations. */
export type AggregatorRegistry = Readonly<Record<string, Aggregator>>;

/** The user-facing way to declare an aggregator: object accumulators, any input, not assumed commutative. */
export function defineAggregator<Acc, In = unknown>(
  spec: Pick<Aggregator<Acc, In>, 'create' | 'add' | 'merge' | 'result'> & Partial<Aggregator<Acc, In>>,
): Aggregator<Acc, In> {
  return { input: 'any', accumulator: 'object', commutative: false, ...spec };
}
