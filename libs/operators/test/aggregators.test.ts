import { describe, expect, it } from 'vitest';
import { avg, count, countDistinct, defineAggregator, max, min, sum, type Aggregator } from '../src';

function fold<A, I>(aggregator: Aggregator<A, I>, values: I[], from: A = aggregator.create()): A {
  return values.reduce((acc, v) => aggregator.add(acc, v), from);
}

describe('built-in aggregators', () => {
  it('count counts, sum adds, min and max pick', () => {
    expect(count().result(fold(count(), ['x', 'y', 'z']))).toBe(3);
    expect(sum().result(fold(sum(), [1.5, 2, -0.5]))).toBe(3);
    expect(min().result(fold(min(), [3, -2, 7]))).toBe(-2);
    expect(max().result(fold(max(), [3, -2, 7]))).toBe(7);
  });

  it('min, max and avg of no values are null (SQL NULL), count and sum are 0', () => {
    expect(min().result(min().create())).toBeNull();
    expect(max().result(max().create())).toBeNull();
    expect(avg().result(avg().create())).toBeNull();
    expect(count().result(count().create())).toBe(0);
    expect(sum().result(sum().create())).toBe(0);
  });

  it('avg merges partial (sum, count) pairs, not partial means', () => {
    const a = fold(avg(), [1, 2, 3]);
    const b = fold(avg(), [10]);
    expect(avg().result(avg().merge(a, b))).toBe(4);
  });

  it('count_distinct is exact and tells 1 from "1"', () => {
    const a = fold(countDistinct(), ['a', 'b', 1, '1']);
    const b = fold(countDistinct(), ['b', 'c', 1]);
    expect(countDistinct().result(a)).toBe(4);
    expect(countDistinct().result(countDistinct().merge(a, b))).toBe(5);
  });

  it('count_distinct stays exact across its small-array / Set boundary, in add, merge and snapshots', () => {
    const agg = countDistinct();
    // values cycling through 0..n-1, as numbers and as strings: 2n distinct, each seen several times
    for (const n of [1, 3, 4, 5, 8, 20]) {
      const values = Array.from({ length: 6 * n }, (_, i) => (i % 2 === 0 ? i % n : String(i % n)));
      const distinct = new Set(values);
      const acc = fold(agg, values);
      expect(agg.result(acc)).toBe(distinct.size);
      expect(agg.toJSON!(acc)).toEqual([...distinct]);
      const restored = agg.fromJSON!(JSON.parse(JSON.stringify(agg.toJSON!(acc))) as never);
      expect(agg.result(fold(agg, ['new'], restored))).toBe(distinct.size + 1);
      // merge of two halves, either order, equals the whole; neither input changes
      const left = fold(agg, values.slice(0, 3 * n));
      const right = fold(agg, values.slice(3 * n).concat([true, false]));
      const [leftJson, rightJson] = [agg.toJSON!(left), agg.toJSON!(right)];
      expect(agg.result(agg.merge(left, right))).toBe(distinct.size + 2);
      expect(agg.result(agg.merge(right, left))).toBe(distinct.size + 2);
      expect([agg.toJSON!(left), agg.toJSON!(right)]).toEqual([leftJson, rightJson]);
    }
  });

  it('encodes accumulators that are not JSON for snapshots', () => {
    const agg = countDistinct();
    const json = JSON.parse(JSON.stringify(agg.toJSON!(fold(agg, ['a', 2])))) as never;
    expect(agg.result(agg.fromJSON!(json))).toBe(2);
    const mean = avg();
    expect(mean.result(mean.fromJSON!(mean.toJSON!(fold(mean, [1, 4]))))).toBe(2.5);
  });

  it('declares what it accepts and how its accumulator is stored', () => {
    expect([count(), sum(), min(), max()].map((a) => a.accumulator)).toEqual([
      'number',
      'number',
      'number',
      'number',
    ]);
    expect([avg(), countDistinct()].map((a) => a.accumulator)).toEqual(['object', 'object']);
    expect([count(), sum(), countDistinct()].map((a) => a.input)).toEqual(['any', 'number', 'primitive']);
  });
});

describe('defineAggregator', () => {
  it('fills in conservative defaults for user-defined aggregators', () => {
    const range = defineAggregator<{ lo: number; hi: number }, number>({
      create: () => ({ lo: Infinity, hi: -Infinity }),
      add: (acc, v) => ({ lo: Math.min(acc.lo, v), hi: Math.max(acc.hi, v) }),
      merge: (a, b) => ({ lo: Math.min(a.lo, b.lo), hi: Math.max(a.hi, b.hi) }),
      result: (acc) => (acc.hi >= acc.lo ? acc.hi - acc.lo : null),
    });
    expect(range).toMatchObject({ input: 'any', accumulator: 'object', commutative: false });
    expect(range.result(fold(range, [4, 9, 1]))).toBe(8);
  });
});
