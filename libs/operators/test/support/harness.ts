import fc from 'fast-check';
import {
  KeyedWindowOperator,
  ResultTable,
  type AggregationSpec,
  type KeyedWindowOperatorOptions,
  type LateRecord,
  type Pipeline,
  type ResultChange,
  type WindowRetraction,
  type WindowSpec,
} from '../../src';

/**
 * Test events: key `k`, time `t`, amount `v`, category `c`. Amounts are integers (sums exact whatever the
 * order) in the main runs and doubles in the runs that check the floating-point policy.
 */
export interface TestEvent {
  readonly k: string;
  readonly t: number;
  readonly v: number;
  readonly c: string;
}

export interface LogRecord {
  readonly value: TestEvent;
  readonly partition: number;
  readonly offset: number;
}

export const COMBINABLE: AggregationSpec[] = [
  { name: 'n', fn: 'count' },
  { name: 'total', fn: 'sum', field: 'v' },
  { name: 'lo', fn: 'min', field: 'v' },
  { name: 'hi', fn: 'max', field: 'v' },
];

export const ALL_AGGREGATIONS: AggregationSpec[] = [
  ...COMBINABLE,
  { name: 'mean', fn: 'avg', field: 'v' },
  { name: 'kinds', fn: 'count_distinct', field: 'c' },
];

export function pipeline(
  window: WindowSpec,
  maxOutOfOrderness = 0,
  allowedLateness = 0,
  aggregations: AggregationSpec[] = COMBINABLE,
): Pipeline {
  return {
    name: 'p',
    source: 'events',
    key: 'k',
    time: 't',
    window,
    watermark: { maxOutOfOrderness },
    allowedLateness,
    aggregations,
  };
}

function windowId(w: WindowRetraction): string {
  return `${w.key}[${w.windowStart},${w.windowEnd})`;
}

export interface RunResult {
  readonly rows: ResultChange[];
  readonly late: LateRecord<TestEvent>[];
  readonly operator: KeyedWindowOperator<TestEvent>;
}

/** Feeds records in the given order, flushing every `flushEvery` records, optionally ending the input. */
export function run(
  p: Pipeline,
  records: readonly LogRecord[],
  options: KeyedWindowOperatorOptions & { endOfInput?: boolean; flushEvery?: number } = {},
): RunResult {
  const operator = new KeyedWindowOperator<TestEvent>(p, options);
  const table = new ResultTable();
  const late: LateRecord<TestEvent>[] = [];
  const finals = new Set<string>();
  const take = (): void => {
    const output = operator.flush();
    // Final means final: no later output may touch a window once it was emitted as final.
    for (const w of [...output.retractions, ...output.changes]) {
      if (finals.has(windowId(w))) throw new Error(`final window changed again: ${windowId(w)}`);
    }
    for (const change of output.changes) if (change.final) finals.add(windowId(change));
    table.apply(output);
    late.push(...output.late);
  };
  records.forEach((record, i) => {
    operator.process(record.value, record.partition, record.offset);
    if (options.flushEvery !== undefined && (i + 1) % options.flushEvery === 0) take();
  });
  if (options.endOfInput === true) operator.advanceToEndOfInput();
  take();
  return { rows: table.toArray(), late, operator };
}

export const windowSpecs: fc.Arbitrary<WindowSpec> = fc.oneof(
  fc.constantFrom(1_000, 5_000).map((size): WindowSpec => ({ type: 'tumbling', size, offset: 0 })),
  fc.constant<WindowSpec>({ type: 'tumbling', size: 3_000, offset: 1_000 }),
  fc
    .constantFrom(1_000, 2_000)
    .map((slide): WindowSpec => ({ type: 'sliding', size: 5_000, slide, offset: 0 })),
  fc.constantFrom(1_000, 3_000).map((gap): WindowSpec => ({ type: 'session', gap })),
);

interface RawEvent {
  readonly key: number;
  readonly step: number;
  readonly delay: number;
  readonly v: number;
  readonly c: number;
}

// Times move in quarter seconds so that events often land exactly on window ends, session ends and the
// lateness boundary, where the off-by-one mistakes live.
const TICK = 250;

/** Integer amounts: every sum is exact, so results can be compared with toEqual. */
export const integerAmounts: fc.Arbitrary<number> = fc.integer({ min: -50, max: 50 });

/**
 * Double amounts as real data has them: cents, arbitrary doubles (refunds included, so sums cancel towards
 * 0), and the classic inexact decimals. Magnitudes stay within ±10 000, as DESIGN's amounts do.
 */
export const doubleAmounts: fc.Arbitrary<number> = fc.oneof(
  fc.integer({ min: -1_000_000, max: 1_000_000 }).map((cents) => cents / 100),
  fc.double({ min: -10_000, max: 10_000, noNaN: true }),
  fc.constantFrom(0.1, 0.2, 0.3, -0.1, -0.2, -0.3, 1 / 3, 1e-9),
);

const rawEventWith = (amounts: fc.Arbitrary<number>) =>
  fc.record({
    key: fc.integer({ min: 0, max: 5 }),
    step: fc.integer({ min: 0, max: 6 }).map((n) => n * TICK),
    // Mostly in order, some a little disordered, some very late.
    delay: fc.oneof(
      { weight: 6, arbitrary: fc.constant(0) },
      { weight: 3, arbitrary: fc.integer({ min: 0, max: 10 }).map((n) => n * TICK) },
      { weight: 1, arbitrary: fc.integer({ min: 0, max: 80 }).map((n) => n * TICK) },
    ),
    v: amounts,
    c: fc.integer({ min: 0, max: 3 }),
  });

/** Per-partition logs: keys live on one partition (key mod partitions), times advance with disorder. */
export interface PartitionedLog {
  readonly partitions: LogRecord[][];
}

export function toLog(
  raw: readonly RawEvent[],
  partitionCount: number,
  maxDisorder?: number,
): PartitionedLog {
  const partitions: LogRecord[][] = Array.from({ length: partitionCount }, () => []);
  const clock = new Array<number>(partitionCount).fill(1_000_000);
  const maxSeen = new Array<number>(partitionCount).fill(-Infinity);
  for (const e of raw) {
    const partition = e.key % partitionCount;
    clock[partition]! += e.step;
    let t = clock[partition]! - e.delay;
    // Bounded disorder: never further behind the partition's max than allowed.
    if (maxDisorder !== undefined) t = Math.max(t, maxSeen[partition]! - maxDisorder);
    maxSeen[partition] = Math.max(maxSeen[partition]!, t);
    const log = partitions[partition]!;
    log.push({ value: { k: `key${e.key}`, t, v: e.v, c: `c${e.c}` }, partition, offset: log.length });
  }
  return { partitions };
}

/** Raw material for a log; `toLog` turns it into per-partition logs once the allowed disorder is known. */
export const rawLogsWith = (amounts: fc.Arbitrary<number>) =>
  fc.record({
    events: fc.array(rawEventWith(amounts), { maxLength: 150, size: 'max' }),
    partitionCount: fc.integer({ min: 1, max: 3 }),
  });

export const partitionedLogsWith = (amounts: fc.Arbitrary<number>): fc.Arbitrary<PartitionedLog> =>
  rawLogsWith(amounts).map((raw) => toLog(raw.events, raw.partitionCount));

export const rawLogs = rawLogsWith(integerAmounts);
export const partitionedLogs: fc.Arbitrary<PartitionedLog> = partitionedLogsWith(integerAmounts);

/** One interleaving of the partition logs, chosen by `choices` (each picks among non-exhausted partitions). */
export function interleave(log: PartitionedLog, choices: readonly number[]): LogRecord[] {
  const cursors = log.partitions.map(() => 0);
  const out: LogRecord[] = [];
  let c = 0;
  for (;;) {
    const open = log.partitions.flatMap((records, p) => (cursors[p]! < records.length ? [p] : []));
    if (open.length === 0) return out;
    const p = open[(choices[c++ % Math.max(1, choices.length)] ?? 0) % open.length]!;
    out.push(log.partitions[p]![cursors[p]!++]!);
  }
}

export function allRecords(log: PartitionedLog): LogRecord[] {
  return interleave(log, [0]);
}

/** Late records as a sorted list of strings: a multiset that ignores emission order. */
export function lateMultiset(late: readonly LateRecord<TestEvent>[]): string[] {
  return late.map((r) => JSON.stringify([r.event, r.windowStart, r.windowEnd, r.watermark])).sort();
}

export const interleavings = fc.array(fc.nat(), { minLength: 1, maxLength: 50 });
