import { describe, expect, it } from 'vitest';
import {
  KeyedWindowOperator,
  resultValuesEqual,
  SUM_ABSOLUTE_TOLERANCE,
  SUM_RELATIVE_TOLERANCE,
  valuesEqual,
} from '../src';
import { ALL_AGGREGATIONS, pipeline, type TestEvent } from './support/harness';
import { ev } from './support/events';

describe('the floating-point policy', () => {
  it("is DESIGN.md's relative 1e-9 with an absolute floor of 1e-6", () => {
    expect([SUM_RELATIVE_TOLERANCE, SUM_ABSOLUTE_TOLERANCE]).toEqual([1e-9, 1e-6]);
  });

  it('compares count, min, max and count_distinct exactly', () => {
    for (const fn of ['count', 'min', 'max', 'count_distinct']) {
      expect(valuesEqual(fn, 3, 3)).toBe(true);
      expect(valuesEqual(fn, 0.30000000000000004, 0.3)).toBe(false);
      expect(valuesEqual(fn, null, null)).toBe(true);
      expect(valuesEqual(fn, null, 0)).toBe(false);
    }
  });

  it('compares user-defined aggregations exactly: their numbers are not known to be sums', () => {
    expect(valuesEqual('spread', 0.30000000000000004, 0.3)).toBe(false);
  });

  it('compares sum and avg within the relative tolerance', () => {
    for (const fn of ['sum', 'avg']) {
      expect(valuesEqual(fn, 0.1 + 0.2, 0.3)).toBe(true);
      expect(valuesEqual(fn, 1e12, 1e12 + 1_000)).toBe(true);
      expect(valuesEqual(fn, 1e12, 1e12 + 1_001)).toBe(false);
      expect(valuesEqual(fn, -1e12, -1e12 - 1_000)).toBe(true);
      expect(valuesEqual(fn, 19.99, 19.98)).toBe(false);
      expect(valuesEqual(fn, null, 0)).toBe(false);
      expect(valuesEqual(fn, null, null)).toBe(true);
    }
  });

  it('has an absolute floor near 0, where cancelling terms leave only rounding noise', () => {
    const forwards = 0.1 + 0.2 - 0.3; // 5.55e-17
    const backwards = -0.3 + 0.2 + 0.1; // 2.78e-17: a relative difference of 50 %
    expect(forwards).not.toBe(backwards);
    expect(valuesEqual('sum', forwards, backwards)).toBe(true);
    expect(valuesEqual('sum', forwards, 0)).toBe(true);
    expect(valuesEqual('sum', 0, 1e-6)).toBe(true);
    expect(valuesEqual('sum', 0, 2e-6)).toBe(false);
    expect(valuesEqual('avg', 0, 0.01)).toBe(false);
  });

  it('never lets an overflowed or NaN result equal a finite one', () => {
    expect(valuesEqual('sum', Infinity, 1e308)).toBe(false);
    expect(valuesEqual('sum', Infinity, Infinity)).toBe(true);
    expect(valuesEqual('sum', Number.NaN, Number.NaN)).toBe(false);
    expect(valuesEqual('sum', Number.NaN, 0)).toBe(false);
  });

  it('compares whole results aggregation by aggregation', () => {
    const a = { n: 3, total: 0.1 + 0.2, lo: 0.1, hi: 0.2, mean: 0.1, kinds: 1 };
    expect(resultValuesEqual(ALL_AGGREGATIONS, a, { ...a, total: 0.3 })).toBe(true);
    expect(resultValuesEqual(ALL_AGGREGATIONS, a, { ...a, lo: 0.1 + 1e-12 })).toBe(false);
    expect(resultValuesEqual(ALL_AGGREGATIONS, a, { ...a, n: 4 })).toBe(false);
    const { hi: _hi, ...withoutHi } = a;
    expect(resultValuesEqual(ALL_AGGREGATIONS, a, withoutHi)).toBe(false);
    expect(resultValuesEqual(ALL_AGGREGATIONS, { ...a, hi: null }, withoutHi)).toBe(true);
  });

  it('equates a batch sum with the stream sum plus its late side output, as the comparison does', () => {
    const p = pipeline({ type: 'tumbling', size: 10_000, offset: 0 }, 0, 0, ALL_AGGREGATIONS);
    const events = [ev('a', 1, 0.1), ev('a', 20_000, 5), ev('a', 2, 0.2), ev('a', 3, -0.3)];
    const batch = new KeyedWindowOperator<TestEvent>(p, { mode: 'batch' });
    const stream = new KeyedWindowOperator<TestEvent>(p);
    for (const e of events) {
      batch.process(e, 0);
      stream.process(e, 0);
    }
    batch.advanceToEndOfInput();
    const batchTotal = batch.flush().changes.find((c) => c.windowStart === 0)!.values['total']!;
    const output = stream.flush();
    const streamTotal = output.changes.find((c) => c.windowStart === 0)!.values['total']!;
    const combined = streamTotal + output.late.reduce((sum, r) => sum + r.event.v, 0);
    expect(combined).not.toBe(batchTotal); // the last bits differ ...
    expect(valuesEqual('sum', combined, batchTotal)).toBe(true); // ... within the policy
  });
});
