import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BUILTIN_AGGREGATORS,
  KeyedWindowOperator,
  ResultTable,
  valuesEqual,
  type Aggregator,
  type BuiltinAggregatorName,
  type LateRecord,
  type OperatorSnapshot,
  type PartitionSnapshot,
  type Pipeline,
  type WindowSpec,
} from '../src';
import {
  ALL_AGGREGATIONS,
  allRecords,
  doubleAmounts,
  integerAmounts,
  interleave,
  interleavings,
  lateMultiset,
  partitionedLogsWith,
  pipeline,
  rawLogsWith,
  run,
  toLog,
  windowSpecs,
  type PartitionedLog,
  type TestEvent,
} from './support/harness';
import {
  combineTotals,
  lateDrops,
  referenceFixedWindows,
  referenceLateDrops,
  referenceSessions,
  shapeOfReference,
  shapeOfRows,
  totalsEqual,
  totalsOf,
  totalsOfRow,
  type Totals,
} from './support/reference';

const NUM_RUNS = 150;
const outOfOrderness = fc.constantFrom(0, 500, 2_000);
const lateness = fc.constantFrom(0, 1_000);
const flushEvery = fc.integer({ min: 1, max: 20 });
/**
 * stateRetention beyond its smallest allowed value (the window's extent + allowedLateness), or none. Small
 * values, so that the horizon rule (`t + stateRetention <= wm` is late) and the release of session
 * frontiers happen often in these short logs.
 */
const retentionExtra = fc.option(fc.constantFrom(0, 250, 1_000, 3_000, 10_000), { nil: undefined });
const sessionSpecs = fc.constantFrom(1_000, 3_000).map((gap): WindowSpec => ({ type: 'session', gap }));

function withRetention(p: Pipeline, extra: number | undefined): Pipeline {
  if (extra === undefined) return p;
  const extent = p.window.type === 'session' ? p.window.gap : p.window.size;
  return { ...p, stateRetention: extent + p.allowedLateness + extra };
}

type Shape = { key: string; start: number; end: number; totals: Totals }[];

/**
 * Integer amounts: totals must be identical. Double amounts: the floating-point policy (valuesEqual) that
 * the comparison service applies, since a sum assembled from parts adds in another order than the batch run.
 */
const AMOUNTS = [
  {
    amounts: 'integer amounts',
    values: integerAmounts,
    expectTotals: (actual: Totals, expected: Totals): void => expect(actual).toEqual(expected),
  },
  {
    amounts: 'double amounts',
    values: doubleAmounts,
    expectTotals: (actual: Totals, expected: Totals): void => {
      if (!totalsEqual(actual, expected)) expect(actual).toEqual(expected); // fails, showing both
    },
  },
];

describe.each(AMOUNTS)(
  'properties over random partitioned logs with disorder and late events, $amounts',
  ({ values, expectTotals }) => {
    const partitionedLogs = partitionedLogsWith(values);
    const rawLogs = rawLogsWith(values);
    const expectShape = (actual: Shape, expected: Shape): void => {
      expect(actual.map(({ key, start, end }) => [key, start, end])).toEqual(
        expected.map(({ key, start, end }) => [key, start, end]),
      );
      actual.forEach((window, i) => expectTotals(window.totals, expected[i]!.totals));
    };

    it('1. interleaving partitions differently never changes stream-mode results', () => {
      fc.assert(
        fc.property(
          windowSpecs,
          outOfOrderness,
          lateness,
          partitionedLogs,
          interleavings,
          interleavings,
          flushEvery,
          retentionExtra,
          (spec, ooo, allowed, log, a, b, every, extra) => {
            const p = withRetention(pipeline(spec, ooo, allowed, ALL_AGGREGATIONS), extra);
            const first = run(p, interleave(log, a), { flushEvery: every });
            const second = run(p, interleave(log, b), { flushEvery: 3 });
            expect(second.rows).toEqual(first.rows);
            expect(lateMultiset(second.late)).toEqual(lateMultiset(first.late));
          },
        ),
        { numRuns: NUM_RUNS },
      );
    });

    it("2. when every event is within maxOutOfOrderness of its partition's max, stream final results == batch", () => {
      fc.assert(
        fc.property(
          windowSpecs,
          outOfOrderness,
          lateness,
          rawLogs,
          interleavings,
          retentionExtra,
          (spec, ooo, allowed, raw, order, extra) => {
            // Sessions, allowedLateness 0: a session is final at wm == end, yet an event at exactly wm still
            // touches it (the gap bound is inclusive) and is late; bounded disorder must then be strict.
            const strict = spec.type === 'session' && allowed === 0;
            fc.pre(!(strict && ooo === 0));
            const log = toLog(raw.events, raw.partitionCount, strict ? ooo - 1 : ooo);
            const p = withRetention(pipeline(spec, ooo, allowed, ALL_AGGREGATIONS), extra);
            const records = interleave(log, order);
            const batch = run(p, records, { mode: 'batch', endOfInput: true });
            const stream = run(p, records, { flushEvery: 5 });
            expect(stream.late).toEqual([]);
            const batchRows = new Map(
              batch.rows.map((row) => [`${row.key}/${row.windowStart}/${row.windowEnd}`, row]),
            );
            for (const row of stream.rows.filter((r) => r.final)) {
              expect(row).toEqual(batchRows.get(`${row.key}/${row.windowStart}/${row.windowEnd}`));
            }
            stream.operator.advanceToEndOfInput();
            expect(
              new ResultTable()
                .apply({ changes: stream.rows, retractions: [] })
                .apply(stream.operator.flush())
                .toArray(),
            ).toEqual(batch.rows);
          },
        ),
        { numRuns: NUM_RUNS },
      );
    });

    /**
     * Property 3: the stream's late side output is what the rule drops, and stream results + late side output
     * == batch results, window by window (session by session).
     */
    const streamPlusLateIsBatch = (
      spec: WindowSpec,
      ooo: number,
      allowed: number,
      log: PartitionedLog,
      every: number,
      extra: number | undefined,
    ): void => {
      const p = withRetention(pipeline(spec, ooo, allowed), extra);
      const records = allRecords(log);
      const events = records.map((r) => r.value);
      const batch = run(p, records, { mode: 'batch', endOfInput: true });
      const stream = run(p, records, { flushEvery: every });
      const windowsOf = (e: { windowStart: number; windowEnd: number }): string =>
        `${e.windowStart}/${e.windowEnd}`;
      // The side output is exactly what the design's rule, applied literally, drops ...
      expect(lateDrops(stream.late)).toEqual(
        referenceLateDrops(spec, ooo, allowed, records, p.stateRetention),
      );
      // ... and a window is final exactly when its partition's watermark has passed end + allowedLateness.
      const partitionOf = new Map(records.map((r) => [r.value.k, r.partition]));
      for (const row of stream.rows) {
        const watermark = stream.operator.watermark(partitionOf.get(row.key)!);
        expect(row.final).toBe(row.windowEnd + allowed <= watermark);
      }

      if (spec.type !== 'session') {
        // Batch is the ground truth: every event in every window containing it.
        expectShape(shapeOfRows(batch.rows), shapeOfReference(referenceFixedWindows(spec, events)));
        const streamRows = new Map(stream.rows.map((row) => [`${row.key}/${windowsOf(row)}`, row]));
        const lateByWindow = new Map<string, TestEvent[]>();
        for (const record of stream.late) {
          // A late record names a window that was final when the event came.
          expect(record.windowEnd + allowed).toBeLessThanOrEqual(record.watermark);
          const id = `${record.event.k}/${windowsOf(record)}`;
          lateByWindow.set(id, [...(lateByWindow.get(id) ?? []), record.event]);
        }
        for (const row of batch.rows) {
          const id = `${row.key}/${windowsOf(row)}`;
          const streamRow = streamRows.get(id);
          const parts = [totalsOf(lateByWindow.get(id) ?? [])];
          if (streamRow !== undefined) parts.push(totalsOfRow(streamRow));
          expectTotals(combineTotals(parts), totalsOfRow(row));
          streamRows.delete(id);
          lateByWindow.delete(id);
        }
        expect([...streamRows.keys(), ...lateByWindow.keys()]).toEqual([]);
        return;
      }

      const { gap } = spec;
      expectShape(shapeOfRows(batch.rows), shapeOfReference(referenceSessions(gap, events)));
      // Sessions: one late record per late event, carrying the event's own proto-session.
      const lateEvents = new Set(stream.late.map((r) => r.event));
      expect(lateEvents.size).toBe(stream.late.length);
      for (const record of stream.late)
        expect(windowsOf(record)).toBe(`${record.event.t}/${record.event.t + gap}`);
      // The stream's sessions are exactly the sessionization of the events it kept ...
      const kept = events.filter((e) => !lateEvents.has(e));
      expectShape(shapeOfRows(stream.rows), shapeOfReference(referenceSessions(gap, kept)));
      // ... and each batch session is the merge of the stream sessions and late events inside it.
      const inside =
        (key: string, t0: number, t1: number) =>
        (row: { key: string; windowStart: number; windowEnd: number }) =>
          row.key === key && row.windowStart >= t0 && row.windowEnd <= t1;
      let streamCovered = 0;
      let lateCovered = 0;
      for (const session of batch.rows) {
        const within = inside(session.key, session.windowStart, session.windowEnd);
        const streamParts = stream.rows.filter(within);
        const lateParts = stream.late.filter((r) =>
          within({ key: r.event.k, windowStart: r.event.t, windowEnd: r.event.t }),
        );
        streamCovered += streamParts.length;
        lateCovered += lateParts.length;
        expectTotals(
          combineTotals([...streamParts.map(totalsOfRow), totalsOf(lateParts.map((r) => r.event))]),
          totalsOfRow(session),
        );
      }
      expect(streamCovered).toBe(stream.rows.length);
      expect(lateCovered).toBe(stream.late.length);

      // State: a key keeps F(k), the end of its latest final session, unless stateRetention has passed it
      // (F(k) + stateRetention <= wm) — and is kept only for that or an open session.
      const expectedFrontiers = new Map<string, number>();
      for (const row of stream.rows.filter((r) => r.final)) {
        expectedFrontiers.set(row.key, Math.max(expectedFrontiers.get(row.key) ?? -Infinity, row.windowEnd));
      }
      for (const [key, frontier] of expectedFrontiers) {
        const watermark = stream.operator.watermark(partitionOf.get(key)!);
        if (frontier + (p.stateRetention ?? Infinity) <= watermark) expectedFrontiers.delete(key);
      }
      const snapshots = stream.operator.snapshot().partitions;
      const frontiers = snapshots.flatMap((snapshot) => snapshot.finalFrontiers);
      expect(new Map(frontiers)).toEqual(expectedFrontiers);
      const keysWithState = new Set([
        ...frontiers.map(([key]) => key),
        ...snapshots.flatMap((snapshot) => snapshot.windows.map((w) => w.key)),
      ]);
      expect(stream.operator.stats().keys).toBe(keysWithState.size);
    };

    it('3. stream results + late side output == batch results, window by window (session by session)', () => {
      fc.assert(
        fc.property(
          windowSpecs,
          outOfOrderness,
          lateness,
          partitionedLogs,
          flushEvery,
          retentionExtra,
          streamPlusLateIsBatch,
        ),
        { numRuns: NUM_RUNS },
      );
    });

    it('3r. the same for sessions with stateRetention always set (the only windows whose lateness it changes)', () => {
      fc.assert(
        fc.property(
          sessionSpecs,
          outOfOrderness,
          lateness,
          partitionedLogs,
          flushEvery,
          fc.constantFrom(0, 250, 1_000, 3_000),
          streamPlusLateIsBatch,
        ),
        { numRuns: NUM_RUNS },
      );
    });

    it('4. snapshot at any point + restore + continue == an uninterrupted run', () => {
      fc.assert(
        fc.property(
          windowSpecs,
          outOfOrderness,
          lateness,
          partitionedLogs,
          interleavings,
          fc.double({ min: 0, max: 1, noNaN: true }),
          fc.boolean(),
          fc.integer({ min: 0, max: 5 }),
          retentionExtra,
          (spec, ooo, allowed, log, order, cutAt, perPartition, redeliver, extra) => {
            const p = withRetention(pipeline(spec, ooo, allowed, ALL_AGGREGATIONS), extra);
            const records = interleave(log, order);
            const cut = Math.floor(cutAt * records.length);
            const uninterrupted = run(p, records, { flushEvery: 4 });

            const table = new ResultTable();
            const late: LateRecord<TestEvent>[] = [];
            const take = (operator: KeyedWindowOperator<TestEvent>): void => {
              const output = operator.flush();
              table.apply(output);
              late.push(...output.late);
            };
            const before = new KeyedWindowOperator<TestEvent>(p);
            records.slice(0, cut).forEach((r, i) => {
              before.process(r.value, r.partition, r.offset);
              if (i % 4 === 3) take(before);
            });
            take(before);
            const after = new KeyedWindowOperator<TestEvent>(p);
            if (perPartition) {
              for (const partition of before.partitionIds()) {
                const snapshot = JSON.parse(
                  JSON.stringify(before.snapshotPartition(partition)),
                ) as PartitionSnapshot;
                after.restorePartition(snapshot);
              }
            } else {
              after.restore(JSON.parse(JSON.stringify(before.snapshot())) as OperatorSnapshot);
            }
            // Records redelivered from before the cut are recognised by their offsets and skipped.
            records.slice(Math.max(0, cut - redeliver)).forEach((r, i) => {
              after.process(r.value, r.partition, r.offset);
              if (i % 3 === 2) take(after);
            });
            take(after);
            expect(table.toArray()).toEqual(uninterrupted.rows);
            expect(lateMultiset(late)).toEqual(lateMultiset(uninterrupted.late));
            // ... and ends with the same state: open windows, frontiers and (sessions) keys, so a restore
            // keeps releasing what the uninterrupted run releases. (An emptied tumbling/sliding key waits for
            // the next window start, and a snapshot does not list it: their key counts may differ.)
            const state = (operator: KeyedWindowOperator<TestEvent>) => {
              const { keys, ...stats } = operator.stats();
              return {
                ...stats,
                keys: spec.type === 'session' ? keys : undefined,
                frontiers: operator
                  .snapshot()
                  .partitions.map((s) => [s.partition, s.finalFrontiers.map((f) => f.join('@')).sort()]),
              };
            };
            expect(state(after)).toEqual(state(uninterrupted.operator));
          },
        ),
        { numRuns: NUM_RUNS },
      );
    });
  },
);

describe('aggregator properties', () => {
  it('5. aggregator merge is associative, agrees with adding everything, and is commutative where claimed', () => {
    const names = Object.keys(BUILTIN_AGGREGATORS) as BuiltinAggregatorName[];
    const values = fc.array(
      fc.oneof(fc.integer({ min: -1_000, max: 1_000 }), fc.constantFrom('a', 'b', 'c')),
      {
        maxLength: 12,
      },
    );
    fc.assert(
      fc.property(fc.constantFrom(...names), values, values, values, (name, a, b, c) => {
        const aggregator = BUILTIN_AGGREGATORS[name]() as Aggregator;
        const inputs = (xs: (number | string)[]): (number | string)[] =>
          aggregator.input === 'number' ? xs.filter((x) => typeof x === 'number') : xs;
        // Fresh accumulators per use: add and merge may reuse their first argument.
        const acc = (xs: (number | string)[]): unknown =>
          inputs(xs).reduce((state, x) => aggregator.add(state, x), aggregator.create());
        const { merge, result } = aggregator;
        const leftFirst = result(merge(merge(acc(a), acc(b)), acc(c)));
        expect(result(merge(acc(a), merge(acc(b), acc(c))))).toEqual(leftFirst);
        expect(result(acc([...a, ...b, ...c]))).toEqual(leftFirst);
        expect(result(merge(aggregator.create(), acc(a)))).toEqual(result(acc(a)));
        if (aggregator.commutative)
          expect(result(merge(acc(b), acc(a)))).toEqual(result(merge(acc(a), acc(b))));
      }),
      { numRuns: 300 },
    );
  });

  it('5d. with double values, merge agrees with adding everything under the floating-point policy', () => {
    const names = Object.keys(BUILTIN_AGGREGATORS) as BuiltinAggregatorName[];
    const values = fc.array(fc.oneof(doubleAmounts, fc.constantFrom('a', 'b', 'c')), { maxLength: 40 });
    fc.assert(
      fc.property(fc.constantFrom(...names), values, values, values, (name, a, b, c) => {
        const aggregator = BUILTIN_AGGREGATORS[name]() as Aggregator;
        const inputs = (xs: (number | string)[]): (number | string)[] =>
          aggregator.input === 'number' ? xs.filter((x) => typeof x === 'number') : xs;
        const acc = (xs: (number | string)[]): unknown =>
          inputs(xs).reduce((state, x) => aggregator.add(state, x), aggregator.create());
        const { merge, result } = aggregator;
        const leftFirst = result(merge(merge(acc(a), acc(b)), acc(c)));
        const equal = (other: number | null): void => {
          if (!valuesEqual(name, other, leftFirst)) expect(other).toBe(leftFirst); // fails, showing both
        };
        equal(result(merge(acc(a), merge(acc(b), acc(c)))));
        equal(result(acc([...a, ...b, ...c])));
        equal(result(merge(acc(c), merge(acc(a), acc(b)))));
        // Exact where the policy says so: only the order of additions may differ.
        if (name !== 'sum' && name !== 'avg') expect(result(acc([...c, ...b, ...a]))).toBe(leftFirst);
      }),
      { numRuns: 300 },
    );
  });
});
