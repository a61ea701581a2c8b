import { describe, expect, it } from 'vitest';
import { defineAggregator, KeyedWindowOperator } from '../src';
import { pipeline, type TestEvent } from './support/harness';
import { ev, operatorFor } from './support/events';

const gap10s = { type: 'session', gap: 10_000 } as const;

describe('keyed window operator: sessions', () => {
  it('keeps events at most gap apart in one session [first, last + gap)', () => {
    const { feed, take } = operatorFor(pipeline(gap10s, 60_000));
    feed(0, ['a', 0], ['a', 10_000], ['b', 0], ['b', 10_001]);
    expect(take().changes.map((c) => [c.key, c.window, c.n])).toEqual([
      ['a', [0, 20_000], 2],
      ['b', [0, 10_000], 1],
      ['b', [10_001, 20_001], 1],
    ]);
  });

  it('bridges two sessions into one and retracts both emitted windows', () => {
    const { feed, take } = operatorFor(pipeline(gap10s, 60_000));
    feed(0, ['a', 0], ['a', 18_000]);
    expect(take().changes.map((c) => c.window)).toEqual([
      [0, 10_000],
      [18_000, 28_000],
    ]);
    feed(0, ['a', 9_000]);
    expect(take()).toEqual({
      changes: [{ key: 'a', window: [0, 28_000], n: 3, revision: 3, final: false }],
      retractions: [
        ['a', 18_000, 28_000],
        ['a', 0, 10_000],
      ],
      late: [],
    });
  });

  it('retracts the old bounds when a session grows', () => {
    const { feed, take } = operatorFor(pipeline(gap10s, 60_000));
    feed(0, ['a', 5_000]);
    take();
    feed(0, ['a', 1_000], ['a', 12_000]);
    expect(take()).toMatchObject({
      changes: [{ window: [1_000, 22_000], n: 3, revision: 3 }],
      retractions: [['a', 5_000, 15_000]],
    });
  });

  it('drops an event that would extend a final session, even one exactly at the watermark', () => {
    // allowedLateness 0: [0, 10s) is final once wm >= 10s; an event at 10s would extend it.
    const { feed, take } = operatorFor(pipeline(gap10s));
    feed(0, ['a', 0], ['b', 10_000]);
    expect(take().changes.find((c) => c.key === 'a')).toEqual({
      key: 'a',
      window: [0, 10_000],
      n: 1,
      revision: 2,
      final: true,
    });
    feed(0, ['a', 10_000]);
    expect(take()).toEqual({
      changes: [],
      retractions: [],
      late: [{ t: 10_000, window: [10_000, 20_000], watermark: 10_000 }],
    });
  });

  it('keeps an event that would extend a session still within its allowed lateness', () => {
    // allowedLateness 5s: at wm 14.999s the session [0, 10s) has ended but is not final yet.
    const { feed, take } = operatorFor(pipeline(gap10s, 0, 5_000));
    feed(0, ['a', 0], ['b', 14_999], ['a', 10_000]);
    expect(take().changes.find((c) => c.key === 'a')).toMatchObject({
      window: [0, 20_000],
      n: 2,
      final: false,
    });
    // The lateness boundary: end + allowedLateness == wm is final, and extending it is late.
    feed(0, ['b', 25_000]);
    expect(take().changes.find((c) => c.key === 'a')).toMatchObject({ window: [0, 20_000], final: true });
    feed(0, ['a', 20_000]);
    expect(take().late).toEqual([{ t: 20_000, window: [20_000, 30_000], watermark: 25_000 }]);
  });

  it('drops an event that would bridge a final session and an open one', () => {
    const { feed, take } = operatorFor(pipeline(gap10s, 5_000));
    // After 15s, wm = 10s: [0, 10s) is final, [15s, 25s) is open.
    feed(0, ['a', 0], ['a', 15_000]);
    take();
    feed(0, ['a', 7_000]);
    expect(take()).toEqual({
      changes: [],
      retractions: [],
      late: [{ t: 7_000, window: [7_000, 17_000], watermark: 10_000 }],
    });
  });

  it('keeps an event behind the watermark that extends an open session backwards', () => {
    const { feed, take } = operatorFor(pipeline(gap10s));
    feed(0, ['a', 20_000]);
    take();
    // Alone, [10s, 20s) would be final at wm 20s; it touches the open [20s, 30s), so it joins that.
    feed(0, ['a', 10_000]);
    expect(take()).toMatchObject({
      changes: [{ window: [10_000, 30_000], n: 2, final: false }],
      retractions: [['a', 20_000, 30_000]],
      late: [],
    });
  });

  it('drops an event whose session would be final on its own', () => {
    const { feed, take } = operatorFor(pipeline(gap10s));
    feed(0, ['a', 50_000], ['b', 40_000]);
    expect(take().late).toEqual([{ t: 40_000, window: [40_000, 50_000], watermark: 50_000 }]);
  });

  it('drops an event before the latest final session of its key', () => {
    const { operator, feed, take } = operatorFor(pipeline(gap10s));
    feed(0, ['a', 100_000], ['b', 200_000]);
    take();
    // a's session [100s, 110s) is final and released; the key keeps only its final frontier.
    expect(operator.stats()).toEqual({ partitions: 1, keys: 2, openWindows: 1 });
    feed(0, ['a', 95_000]);
    expect(take().late).toEqual([{ t: 95_000, window: [95_000, 105_000], watermark: 200_000 }]);
  });

  it('adds up revisions when sessions merge', () => {
    const { feed, take } = operatorFor(pipeline(gap10s, 60_000));
    feed(0, ['a', 0], ['a', 1_000], ['a', 18_000], ['a', 9_000]);
    expect(take().changes).toEqual([{ key: 'a', window: [0, 28_000], n: 4, revision: 4, final: false }]);
  });

  it('merges partial results in time order, for aggregators whose merge is not commutative', () => {
    const first = defineAggregator<number | null, number>({
      input: 'number',
      create: () => null,
      add: (acc, v) => acc ?? v,
      merge: (a, b) => a ?? b,
      result: (acc) => acc,
    });
    const p = pipeline(gap10s, 60_000, 0, [{ name: 'first', fn: 'first', field: 'v' }]);
    const operator = new KeyedWindowOperator<TestEvent>(p, { aggregators: { first } });
    for (const e of [ev('a', 0, 1), ev('a', 18_000, 2), ev('a', 9_000, 3)]) operator.process(e, 0);
    expect(operator.flush().changes.map((c) => c.values)).toEqual([{ first: 1 }]);
  });
});
