import { describe, expect, it } from 'vitest';
import { defineAggregator, InvalidEventError, KeyedWindowOperator, type Pipeline } from '../src';
import { pipeline, type TestEvent } from './support/harness';
import { ev, operatorFor } from './support/events';

const tumbling10s = { type: 'tumbling', size: 10_000, offset: 0 } as const;

describe('keyed window operator: tumbling and sliding', () => {
  it('puts an event exactly at a window end into the next window', () => {
    const { feed, take } = operatorFor(pipeline(tumbling10s, 60_000));
    feed(0, ['a', 0], ['a', 9_999], ['a', 10_000]);
    expect(take().changes).toEqual([
      { key: 'a', window: [0, 10_000], n: 2, revision: 2, final: false },
      { key: 'a', window: [10_000, 20_000], n: 1, revision: 1, final: false },
    ]);
  });

  it('treats end + allowedLateness == wm as late, and one millisecond less as on time', () => {
    // size 10s, maxOutOfOrderness 1s, allowedLateness 2s: [0, 10s) is final once wm >= 12s, i.e. max >= 13s.
    const onTime = operatorFor(pipeline(tumbling10s, 1_000, 2_000));
    onTime.feed(0, ['a', 5_000], ['b', 12_999], ['a', 9_999]);
    expect(onTime.take()).toMatchObject({
      changes: [
        { key: 'a', window: [0, 10_000], n: 2, final: false },
        { key: 'b', window: [10_000, 20_000], n: 1, final: false },
      ],
      late: [],
    });

    const late = operatorFor(pipeline(tumbling10s, 1_000, 2_000));
    late.feed(0, ['a', 5_000], ['b', 13_000], ['a', 9_999]);
    expect(late.take()).toEqual({
      changes: [
        { key: 'b', window: [10_000, 20_000], n: 1, revision: 1, final: false },
        { key: 'a', window: [0, 10_000], n: 1, revision: 2, final: true },
      ],
      retractions: [],
      late: [{ t: 9_999, window: [0, 10_000], watermark: 12_000 }],
    });
  });

  it('finalizes a window when wm >= end + allowedLateness, and releases it', () => {
    const { operator, feed, take } = operatorFor(pipeline(tumbling10s, 0, 2_000));
    feed(0, ['a', 1_000], ['a', 2_000], ['b', 11_999]);
    expect(operator.stats()).toEqual({ partitions: 1, keys: 2, openWindows: 2 });
    take();
    feed(0, ['b', 12_000]);
    expect(take().changes).toEqual([
      { key: 'b', window: [10_000, 20_000], n: 2, revision: 2, final: false },
      { key: 'a', window: [0, 10_000], n: 2, revision: 3, final: true },
    ]);
    // The final window is gone from memory; its key stays until the next window start is final ...
    expect(operator.stats()).toEqual({ partitions: 1, keys: 2, openWindows: 1 });
    feed(0, ['c', 15_000], ['b', 22_000]);
    take();
    // ... [10s, 20s) is final now: a (empty since [0s, 10s)) goes, c (emptied now) waits.
    expect(operator.stats()).toEqual({ partitions: 1, keys: 2, openWindows: 1 });
    feed(0, ['b', 32_000]);
    expect(operator.stats()).toEqual({ partitions: 1, keys: 1, openWindows: 1 });
    // b is emptied when [30s, 40s) is final, comes back before [40s, 50s) is, and so is not released.
    feed(0, ['e', 42_000], ['b', 45_000]);
    expect(operator.stats()).toEqual({ partitions: 1, keys: 2, openWindows: 2 });
    feed(0, ['e', 52_000]);
    expect(operator.stats()).toEqual({ partitions: 1, keys: 2, openWindows: 1 });
    operator.advanceToEndOfInput();
    expect(operator.stats()).toEqual({ partitions: 1, keys: 0, openWindows: 0 });
  });

  it('releases keys just the same with stateRetention, which changes no result of tumbling windows', () => {
    const events: [string, number][] = [
      ['a', 1_000],
      ['a', 2_000],
      ['b', 11_999],
      ['b', 12_000],
      ['c', 15_000],
      ['b', 22_000],
      ['b', 32_000],
      ['a', 5_000],
      ['e', 42_000],
      ['b', 45_000],
      ['e', 52_000],
      ['e', 30_000],
    ];
    const trace = (p: Pipeline) => {
      const { operator, feed, take } = operatorFor(p);
      return events.map((e) => {
        feed(0, e);
        return { keys: operator.stats().keys, output: take() };
      });
    };
    // the smallest retention allowed: size 10s + allowedLateness 2s
    const retained = trace({ ...pipeline(tumbling10s, 0, 2_000), stateRetention: 12_000 });
    expect(retained).toEqual(trace(pipeline(tumbling10s, 0, 2_000)));
    // as in the test above: an emptied key goes when the next window start is final
    expect(retained.map((r) => r.keys)).toEqual([1, 1, 2, 2, 3, 2, 1, 1, 2, 2, 2, 2]);
    expect(retained.flatMap((r) => r.output.late.map((l) => l.t))).toEqual([5_000, 30_000]);
  });

  it('drops a sliding event from the windows that are final and keeps it in the others', () => {
    const { feed, take } = operatorFor(pipeline({ type: 'sliding', size: 5_000, slide: 1_000, offset: 0 }));
    feed(0, ['a', 10_000]);
    take();
    feed(0, ['a', 7_500]);
    const { changes, late } = take();
    // Windows of 7.5s start at 7, 6, 5, 4, 3 s; with wm = 10s those ending at or before 10s are final.
    expect(late).toEqual([
      { t: 7_500, window: [5_000, 10_000], watermark: 10_000 },
      { t: 7_500, window: [4_000, 9_000], watermark: 10_000 },
      { t: 7_500, window: [3_000, 8_000], watermark: 10_000 },
    ]);
    expect(changes.map((c) => [c.window, c.n])).toEqual([
      [[7_000, 12_000], 2],
      [[6_000, 11_000], 2],
    ]);
  });

  it('keeps a watermark per partition: an idle partition keeps its windows open', () => {
    const { operator, feed, take } = operatorFor(pipeline(tumbling10s, 1_000));
    feed(1, ['b', 1_000]);
    feed(0, ['a', 1_000], ['a', 1_000_000]);
    expect(operator.watermark(0)).toBe(999_000);
    expect(operator.watermark(1)).toBe(0);
    expect(operator.watermark(7)).toBe(-Infinity);
    const { changes } = take();
    expect(changes.find((c) => c.key === 'b')).toMatchObject({ final: false });
    expect(changes.find((c) => c.key === 'a' && c.window[0] === 0)).toMatchObject({ final: true });
    // An event of b arriving on partition 1 is judged by partition 1's watermark: on time.
    feed(1, ['b', 2_000]);
    expect(take()).toMatchObject({ changes: [{ key: 'b', n: 2, final: false }], late: [] });
  });

  it('coalesces changes between flushes into one change per window with the latest revision', () => {
    const { feed, take } = operatorFor(pipeline(tumbling10s));
    feed(0, ['a', 1], ['a', 2], ['a', 3]);
    expect(take().changes).toEqual([{ key: 'a', window: [0, 10_000], n: 3, revision: 3, final: false }]);
    expect(take().changes).toEqual([]);
    feed(0, ['a', 4]);
    expect(take().changes).toEqual([{ key: 'a', window: [0, 10_000], n: 4, revision: 4, final: false }]);
  });

  it('in batch mode counts everything and finalizes only at the end of input', () => {
    const { operator, feed, take } = operatorFor(pipeline(tumbling10s), { mode: 'batch' });
    feed(0, ['a', 100_000], ['a', 1_000]);
    expect(operator.watermark(0)).toBe(-Infinity);
    expect(take()).toMatchObject({ late: [], changes: [{ final: false }, { final: false }] });
    operator.advanceToEndOfInput();
    expect(operator.watermark(0)).toBe(Infinity);
    expect(take().changes).toEqual([
      { key: 'a', window: [0, 10_000], n: 1, revision: 2, final: true },
      { key: 'a', window: [100_000, 110_000], n: 1, revision: 2, final: true },
    ]);
    expect(operator.stats().openWindows).toBe(0);
    // After the +∞ watermark everything is late.
    feed(0, ['a', 200_000]);
    expect(take().late).toEqual([{ t: 200_000, window: [200_000, 210_000], watermark: Infinity }]);
  });

  it('skips records below the next offset of their partition', () => {
    const { operator, take } = operatorFor(pipeline(tumbling10s));
    expect(operator.process(ev('a', 1), 0, 5)).toBe(true);
    expect(operator.process(ev('a', 2), 0, 5)).toBe(false);
    expect(operator.process(ev('a', 3), 1, 0)).toBe(true);
    expect(operator.nextOffset(0)).toBe(6);
    expect(
      operator.processRecords([
        { value: ev('a', 4), partition: 0, offset: 4 },
        { value: ev('a', 5), partition: 0, offset: 6 },
      ]),
    ).toBe(1);
    expect(take().changes.map((c) => c.n)).toEqual([2, 1]);
  });

  it('rejects an unusable event before touching any state', () => {
    const { operator, take } = operatorFor(pipeline(tumbling10s));
    const bad: unknown[] = [
      { t: 1, v: 1, c: 'x' },
      { k: 'a', t: '1970-01-01', v: 1, c: 'x' },
      { k: 'a', t: 1, v: '12', c: 'x' },
    ];
    for (const event of bad) expect(() => operator.process(event as TestEvent, 0)).toThrow(InvalidEventError);
    expect(() => operator.process({ k: 'a', t: 1, v: Infinity, c: 'x' }, 0)).toThrow(
      'pipeline "p": event field "v": expected a finite number, got Infinity',
    );
    expect(() => operator.process({ t: 1 } as TestEvent, 0)).toThrow(
      'pipeline "p": event field "k": expected a string or a finite number, got nothing',
    );
    expect(operator.stats().openWindows).toBe(0);
    expect(take()).toEqual({ changes: [], retractions: [], late: [] });
  });

  it('skips null and missing values as SQL does; min/max of nothing are null', () => {
    const operator = new KeyedWindowOperator<Record<string, unknown>>(pipeline(tumbling10s));
    operator.process({ k: 'a', t: 1, v: null }, 0);
    operator.process({ k: 'a', t: 2 }, 0);
    expect(operator.flush().changes[0]!.values).toEqual({ n: 2, total: 0, lo: null, hi: null });
    operator.process({ k: 'a', t: 3, v: 5 }, 0);
    expect(operator.flush().changes[0]!.values).toEqual({ n: 3, total: 5, lo: 5, hi: 5 });
  });

  it('treats numeric keys as their string form', () => {
    const operator = new KeyedWindowOperator<Record<string, unknown>>(pipeline(tumbling10s));
    operator.process({ k: 7, t: 1, v: 1 }, 0);
    operator.process({ k: '7', t: 2, v: 1 }, 0);
    expect(operator.flush().changes).toMatchObject([{ key: '7', values: { n: 2 } }]);
  });

  it('runs user-defined aggregators from the registry', () => {
    const spread = defineAggregator<{ lo: number; hi: number }, number>({
      input: 'number',
      create: () => ({ lo: Infinity, hi: -Infinity }),
      add: (acc, v) => ({ lo: Math.min(acc.lo, v), hi: Math.max(acc.hi, v) }),
      merge: (a, b) => ({ lo: Math.min(a.lo, b.lo), hi: Math.max(a.hi, b.hi) }),
      result: (acc) => acc.hi - acc.lo,
    });
    const p = pipeline(tumbling10s, 0, 0, [{ name: 'spread', fn: 'spread', field: 'v' }]);
    const operator = new KeyedWindowOperator<TestEvent>(p, { aggregators: { spread } });
    for (const v of [3, 9, 4]) operator.process(ev('a', 1, v), 0);
    expect(operator.flush().changes[0]!.values).toEqual({ spread: 6 });
    expect(() => new KeyedWindowOperator(p)).toThrow('aggregations[0].fn: expected a built-in aggregation');
  });

  it('refuses partitions that are not non-negative integers', () => {
    const { operator } = operatorFor(pipeline(tumbling10s));
    expect(() => operator.process(ev('a', 1), -1)).toThrow(RangeError);
    expect(() => operator.process(ev('a', 1), 1.5)).toThrow(RangeError);
  });
});
