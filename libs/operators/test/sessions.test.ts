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

  it('drops an event bridging a final session and a later open one, however far the watermark has moved', () => {
    // Why F(k) cannot be released while the input goes on: a session opened long after a's last final
    // session [0, 10s) can be extended backwards, event by event, all the way down to it.
    const { operator, feed, take } = operatorFor(pipeline(gap10s));
    feed(0, ['a', 0], ['b', 1_000_000]);
    take();
    // wm = 1000s, far beyond F(a) + 2 gap + allowedLateness = 30s; a has no open session.
    expect(operator.stats()).toEqual({ partitions: 1, keys: 2, openWindows: 1 });
    feed(0, ['a', 1_000_000]);
    for (let t = 990_000; t >= 20_000; t -= 10_000) feed(0, ['a', t]);
    expect(take()).toMatchObject({ changes: [{ key: 'a', window: [20_000, 1_010_000], n: 99 }], late: [] });
    // 15s only extends the open session backwards (15s > F(a)); 10s and 5s would then bridge it with the
    // final [0, 10s): late, as a naive release of F(a) once wm >= F(a) + gap + allowedLateness would miss.
    feed(0, ['a', 15_000], ['a', 10_000], ['a', 5_000]);
    expect(take()).toMatchObject({
      changes: [{ key: 'a', window: [15_000, 1_010_000], n: 100, final: false }],
      late: [
        { t: 10_000, window: [10_000, 20_000], watermark: 1_000_000 },
        { t: 5_000, window: [5_000, 15_000], watermark: 1_000_000 },
      ],
    });
  });

  it('drops an event of a key without open sessions by rule (b), and releases every key at the end of input', () => {
    const { operator, feed, take } = operatorFor(pipeline(gap10s));
    for (let i = 0; i < 1_000; i++) feed(0, [`k${i}`, i * 20_000]);
    take();
    // Every key had a final session: each keeps F(k) while the input goes on.
    expect(operator.stats()).toEqual({ partitions: 1, keys: 1_000, openWindows: 1 });
    // k5's session [100s, 110s) is final; an event after it, alone, would be final too.
    feed(0, ['k5', 200_000]);
    expect(take().late).toEqual([{ t: 200_000, window: [200_000, 210_000], watermark: 19_980_000 }]);
    operator.advanceToEndOfInput();
    expect(take().changes).toHaveLength(1);
    // With the watermark at +∞ nothing can join a session any more: all keys and frontiers go.
    expect(operator.stats()).toEqual({ partitions: 1, keys: 0, openWindows: 0 });
    feed(0, ['k5', 100_000], ['new', 0]);
    expect(take().late.map((r) => r.t)).toEqual([100_000, 0]);
    expect(operator.stats()).toEqual({ partitions: 1, keys: 0, openWindows: 0 });
    // Snapshots agree, and a restored operator stays that way.
    const snapshot = operator.snapshotPartition(0);
    expect(snapshot).toMatchObject({ endOfInput: true, windows: [], finalFrontiers: [] });
    const restored = new KeyedWindowOperator<TestEvent>(pipeline(gap10s));
    restored.restorePartition({ ...snapshot, finalFrontiers: [['k5', 110_000]] }); // as older versions wrote
    restored.process({ k: 'k5', t: 105_000, v: 1, c: 'x' }, 0);
    expect(restored.flush().late).toHaveLength(1);
    expect(restored.stats()).toEqual({ partitions: 1, keys: 0, openWindows: 0 });
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
