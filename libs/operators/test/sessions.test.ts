import { describe, expect, it } from 'vitest';
import { defineAggregator, KeyedWindowOperator, PipelineConfigError, type Pipeline } from '../src';
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

describe('keyed window operator: sessions with stateRetention', () => {
  // gap 10s, allowedLateness 0, stateRetention 30s: an event with t + 30s <= wm is late (rule (c)), and a
  // key's frontier F(k) is released once F(k) + 30s <= wm.
  const retained = (stateRetention: number | undefined, allowedLateness = 0): Pipeline => ({
    ...pipeline(gap10s, 0, allowedLateness),
    ...(stateRetention === undefined ? {} : { stateRetention }),
  });
  /** The frontiers a snapshot holds (flushes first, discarding the output). */
  const frontiers = (operator: KeyedWindowOperator<TestEvent>): [string, number][] => {
    operator.flush();
    return operator.snapshotPartition(0).finalFrontiers;
  };

  it('refuses a stateRetention below gap + allowedLateness, or not whole milliseconds, naming the field', () => {
    const refusal = (p: Pipeline): PipelineConfigError => {
      try {
        new KeyedWindowOperator<TestEvent>(p);
      } catch (error) {
        if (error instanceof PipelineConfigError) return error;
        throw error;
      }
      throw new Error('expected a PipelineConfigError');
    };
    expect(refusal(retained(14_999, 5_000))).toMatchObject({
      field: 'stateRetention',
      message:
        'pipeline "p": stateRetention: expected a duration of at least window.gap + allowedLateness (15000ms), got 14999',
    });
    expect(
      refusal({ ...pipeline({ type: 'tumbling', size: 10_000, offset: 0 }, 0, 1), stateRetention: 10_000 })
        .message,
    ).toBe(
      'pipeline "p": stateRetention: expected a duration of at least window.size + allowedLateness (10001ms), got 10000',
    );
    for (const bad of [15_000.5, Number.NaN, Infinity, 36_501 * 86_400_000]) {
      expect(refusal(retained(bad, 5_000)).message).toMatch(
        /^pipeline "p": stateRetention: expected a whole number of milliseconds, at most 3153600000000, got /,
      );
    }
    expect(new KeyedWindowOperator<TestEvent>(retained(15_000, 5_000)).pipeline.stateRetention).toBe(15_000);
  });

  it('leaves an absent stateRetention out of the fingerprint, and refuses snapshots across a change of it', () => {
    const without = new KeyedWindowOperator<TestEvent>(retained(undefined));
    // as the fingerprint was spelled before the field existed
    expect(without.snapshot().fingerprint).toBe(
      '{"key":"k","time":"t","window":{"type":"session","gap":10000},"watermark":{"maxOutOfOrderness":0},' +
        '"allowedLateness":0,"aggregations":[{"name":"n","fn":"count"},{"name":"total","fn":"sum","field":"v"},' +
        '{"name":"lo","fn":"min","field":"v"},{"name":"hi","fn":"max","field":"v"}],"mode":"stream"}',
    );
    const with30s = new KeyedWindowOperator<TestEvent>(retained(30_000));
    expect(with30s.snapshot().fingerprint).toMatch(/,"stateRetention":30000}$/);
    expect(() => with30s.restore(without.snapshot())).toThrow(/another configuration/);
    expect(() => without.restore(with30s.snapshot())).toThrow(/another configuration/);
    expect(() => with30s.restore(new KeyedWindowOperator<TestEvent>(retained(40_000)).snapshot())).toThrow(
      /another configuration/,
    );
  });

  it('drops an event behind wm − stateRetention that would join or extend an open session', () => {
    const run = (stateRetention: number | undefined) => {
      const { feed, take } = operatorFor(retained(stateRetention));
      // a's session [0s, 110s) stays open (110s > wm = 100s): events every 10s chain it
      for (let t = 0; t <= 100_000; t += 10_000) feed(0, ['a', t]);
      take();
      // 5s lies inside it, -10s extends it backwards (start − gap), 70s is exactly at wm − 30s, 71s after
      feed(0, ['a', 5_000], ['a', -10_000], ['a', 70_000], ['a', 71_000]);
      return take();
    };
    expect(run(undefined)).toMatchObject({
      changes: [{ key: 'a', window: [-10_000, 110_000], n: 15, final: false }],
      late: [],
    });
    expect(run(30_000)).toEqual({
      changes: [{ key: 'a', window: [0, 110_000], n: 12, revision: 12, final: false }],
      retractions: [],
      late: [
        { t: 5_000, window: [5_000, 15_000], watermark: 100_000 },
        { t: -10_000, window: [-10_000, 0], watermark: 100_000 },
        { t: 70_000, window: [70_000, 80_000], watermark: 100_000 },
      ],
    });
  });

  it('releases a key once wm passes F(k) + stateRetention; without it every key stays', () => {
    const keysAfter = (stateRetention: number | undefined) => {
      const { operator, feed, take } = operatorFor(retained(stateRetention));
      for (let i = 0; i < 1_000; i++) feed(0, [`k${i}`, i * 20_000]);
      take();
      return { operator, feed, take };
    };
    expect(keysAfter(undefined).operator.stats()).toEqual({ partitions: 1, keys: 1_000, openWindows: 1 });
    // wm = 19 980s. k_i's session [20i s, 20i + 10 s) is final for i < 999, F = 20i + 10 s, released when
    // 20i + 10 + 30 <= 19 980, i.e. i <= 997: k998 keeps its frontier, k999 its open session.
    const { operator, feed, take } = keysAfter(30_000);
    expect(operator.stats()).toEqual({ partitions: 1, keys: 2, openWindows: 1 });
    expect(frontiers(operator)).toEqual([['k998', 19_970_000]]);
    // A released key: its old events are late by the horizon, a new session brings it back.
    feed(0, ['k5', 105_000], ['k5', 19_979_999]);
    expect(take()).toMatchObject({
      changes: [{ key: 'k5', window: [19_979_999, 19_989_999], n: 1, final: false }],
      late: [{ t: 105_000, window: [105_000, 115_000], watermark: 19_980_000 }],
    });
    expect(operator.stats()).toEqual({ partitions: 1, keys: 3, openWindows: 2 });
    // wm 20 000s: k998 (F + 30s = 20 000s) goes; k999's and k5's sessions are final, and keep their F for 30s.
    feed(0, ['k5', 20_000_000]);
    expect(frontiers(operator)).toEqual([
      ['k999', 19_990_000],
      ['k5', 19_989_999],
    ]);
    expect(operator.stats()).toEqual({ partitions: 1, keys: 2, openWindows: 1 });
  });

  it('keeps a frontier that moved on after its release was queued, until wm passes the new one', () => {
    const { operator, feed, take } = operatorFor(retained(30_000));
    const frontierOfA = (): number | undefined => new Map(frontiers(operator)).get('a');
    feed(0, ['a', 0], ['w', 10_000]); // wm 10s: [0s, 10s) final, F(a) = 10s, release due at 40s
    feed(0, ['a', 15_000], ['w', 25_000]); // wm 25s: [15s, 25s) final, F(a) = 25s
    expect(frontierOfA()).toBe(25_000);
    feed(0, ['w', 40_000]); // the release queued for 40s finds F(a) = 25s: a stays until 55s
    expect(frontierOfA()).toBe(25_000);
    take();
    // F(a) = 25s still decides: 25s touches the open [35s, 45s), and would bridge it with the final
    // [15s, 25s): late by rule (a), not by the horizon (25s + 30s > wm 40s)
    feed(0, ['a', 35_000], ['a', 25_000]);
    expect(take()).toMatchObject({
      changes: [{ key: 'a', window: [35_000, 45_000], n: 1 }],
      late: [{ t: 25_000, window: [25_000, 35_000], watermark: 40_000 }],
    });
    feed(0, ['w', 44_999]);
    expect(frontierOfA()).toBe(25_000);
    feed(0, ['w', 45_000]); // [35s, 45s) is final: F(a) = 45s, due at 75s
    expect(frontierOfA()).toBe(45_000);
    feed(0, ['w', 74_999]); // the release queued again for 55s has found F(a) = 45s
    expect(frontierOfA()).toBe(45_000);
    feed(0, ['w', 75_000]);
    expect(frontierOfA()).toBeUndefined();
    expect(operator.stats().keys).toBe(1); // w, with its open session
  });

  it('keeps no frontier for a session that is beyond the horizon when it becomes final', () => {
    const { operator, feed, take } = operatorFor(retained(30_000));
    feed(0, ['a', 0], ['b', 1_000_000]);
    expect(take()).toMatchObject({ changes: [{ key: 'b' }, { key: 'a', window: [0, 10_000], final: true }] });
    expect(operator.stats()).toEqual({ partitions: 1, keys: 1, openWindows: 1 });
    expect(frontiers(operator)).toEqual([]);
  });

  it('restores frontiers into the release queue, and leaves out those already beyond the horizon', () => {
    const before = new KeyedWindowOperator<TestEvent>(retained(30_000));
    [ev('a', 0), ev('w', 10_000)].forEach((e, offset) => before.process(e, 0, offset));
    before.flush();
    const snapshot = before.snapshotPartition(0);
    expect(snapshot.finalFrontiers).toEqual([['a', 10_000]]);
    // A store that keeps every key's latest frontier (the speed layer's) also lists ones released since.
    const after = new KeyedWindowOperator<TestEvent>(retained(30_000));
    after.restorePartition({ ...snapshot, finalFrontiers: [['old', -20_000], ...snapshot.finalFrontiers] });
    expect(after.stats()).toEqual({ partitions: 1, keys: 2, openWindows: 1 });
    expect(after.snapshotPartition(0).finalFrontiers).toEqual([['a', 10_000]]);
    after.process(ev('a', 10_000), 0, 2); // touches the final [0s, 10s): late by F(a)
    after.process(ev('w', 40_000), 0, 3); // wm 40s = F(a) + 30s: a goes
    expect(after.flush().late.map((r) => r.event.k)).toEqual(['a']);
    expect(after.stats()).toEqual({ partitions: 1, keys: 1, openWindows: 1 });
    expect(after.snapshotPartition(0).finalFrontiers).toEqual([['w', 20_000]]);
  });

  it('changes nothing in batch mode', () => {
    const events = [ev('a', 0), ev('a', 100_000), ev('a', 50_000), ev('a', 10_000), ev('a', 95_000)];
    const batch = (stateRetention: number | undefined) => {
      const operator = new KeyedWindowOperator<TestEvent>(retained(stateRetention), { mode: 'batch' });
      events.forEach((e) => operator.process(e, 0));
      operator.advanceToEndOfInput();
      return { output: operator.flush(), stats: operator.stats() };
    };
    const withRetention = batch(10_000);
    expect(withRetention.output.late).toEqual([]);
    expect(withRetention.output.changes.map((c) => [c.windowStart, c.windowEnd, c.values['n']])).toEqual(
      [
        [0, 20_000],
        [50_000, 60_000],
        [95_000, 110_000],
      ].map(([s, e], i) => [s, e, [2, 1, 2][i]]),
    );
    expect(withRetention).toEqual(batch(undefined));
    expect(withRetention.stats).toEqual({ partitions: 1, keys: 0, openWindows: 0 });
  });
});
