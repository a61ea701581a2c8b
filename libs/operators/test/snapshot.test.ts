import { describe, expect, it } from 'vitest';
import { KeyedWindowOperator, OperatorStateError, type PartitionSnapshot } from '../src';
import { ALL_AGGREGATIONS, pipeline, type TestEvent } from './support/harness';
import { ev } from './support/events';

const sessions = pipeline({ type: 'session', gap: 10_000 }, 0, 0, ALL_AGGREGATIONS);
const roundTrip = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

describe('snapshot and restore', () => {
  it('captures open windows, final frontiers, watermarks and offsets as plain JSON', () => {
    const operator = new KeyedWindowOperator<Record<string, unknown>>(sessions);
    operator.process({ k: 'a', t: 0, v: 1, c: 'x' }, 0, 10);
    operator.process({ k: 'b', t: 20_000, c: 'y' }, 0, 11);
    operator.flush();
    expect(roundTrip(operator.snapshotPartition(0))).toEqual({
      format: 'lk-operators/partition@1',
      pipeline: 'p',
      fingerprint: expect.any(String),
      partition: 0,
      maxEventTime: 20_000,
      endOfInput: false,
      nextOffset: 12,
      // b has no v: min/max accumulators are still ±Infinity, which JSON cannot hold as numbers.
      windows: [
        {
          key: 'b',
          start: 20_000,
          end: 30_000,
          revision: 1,
          accumulators: [1, 0, 'Infinity', '-Infinity', [0, 0], ['y']],
          published: [20_000, 30_000],
        },
      ],
      finalFrontiers: [['a', 10_000]],
    });
  });

  it('continues exactly after a restore: final frontier, retractions and offsets included', () => {
    const before = new KeyedWindowOperator<TestEvent>(sessions);
    [ev('a', 0), ev('b', 20_000), ev('b', 25_000)].forEach((e, offset) => before.process(e, 0, offset));
    before.flush();
    const after = new KeyedWindowOperator<TestEvent>(sessions);
    after.restore(roundTrip(before.snapshot()));
    expect(after.watermark(0)).toBe(25_000);
    expect(after.process(ev('b', 26_000), 0, 2)).toBe(false);
    after.process(ev('a', 10_000), 0, 3);
    after.process(ev('b', 34_000), 0, 4);
    const output = after.flush();
    expect(output.late.map((r) => r.event.t)).toEqual([10_000]);
    expect(output.retractions).toEqual([{ pipeline: 'p', key: 'b', windowStart: 20_000, windowEnd: 35_000 }]);
    expect(output.changes).toMatchObject([{ key: 'b', windowStart: 20_000, windowEnd: 44_000, revision: 3 }]);
  });

  it('moves one partition to another operator, as a rebalance does', () => {
    const tumbling = pipeline({ type: 'tumbling', size: 10_000, offset: 0 });
    const first = new KeyedWindowOperator<TestEvent>(tumbling);
    first.process(ev('a', 1_000, 5), 0, 0);
    first.process(ev('b', 1_000, 7), 1, 0);
    first.flush();
    const second = new KeyedWindowOperator<TestEvent>(tumbling);
    second.restorePartition(roundTrip(first.snapshotPartition(1)));
    first.releasePartition(1);
    expect(first.partitionIds()).toEqual([0]);
    expect(second.partitionIds()).toEqual([1]);
    second.process(ev('b', 2_000, 1), 1, 1);
    expect(second.flush().changes).toMatchObject([{ key: 'b', values: { n: 2, total: 8 }, revision: 2 }]);
  });

  it('refuses to snapshot a partition with output that was not flushed', () => {
    const operator = new KeyedWindowOperator<TestEvent>(sessions);
    operator.process(ev('a', 0), 0);
    expect(() => operator.snapshotPartition(0)).toThrow(OperatorStateError);
    expect(() => operator.snapshot()).toThrow('flush() before snapshotting');
    operator.flush();
    expect(operator.snapshot().partitions).toHaveLength(1);
  });

  it('refuses a snapshot taken under another configuration', () => {
    const operator = new KeyedWindowOperator<TestEvent>(sessions);
    const snapshot = operator.snapshotPartition(3);
    const other = new KeyedWindowOperator<TestEvent>(
      pipeline({ type: 'session', gap: 5_000 }, 0, 0, ALL_AGGREGATIONS),
    );
    expect(() => other.restorePartition(snapshot)).toThrow(/another configuration/);
    const batch = new KeyedWindowOperator<TestEvent>(sessions, { mode: 'batch' });
    expect(() => batch.restorePartition(snapshot)).toThrow(OperatorStateError);
    expect(() =>
      operator.restorePartition({ ...snapshot, format: 'v0' } as unknown as PartitionSnapshot),
    ).toThrow(/expected a snapshot of format lk-operators\/partition@1/);
  });

  it('remembers the end of input', () => {
    const operator = new KeyedWindowOperator<TestEvent>(sessions, { mode: 'batch' });
    operator.process(ev('a', 0), 0);
    operator.advanceToEndOfInput();
    operator.flush();
    const restored = new KeyedWindowOperator<TestEvent>(sessions, { mode: 'batch' });
    restored.restore(roundTrip(operator.snapshot()));
    expect(restored.watermark(0)).toBe(Infinity);
    expect(restored.stats().openWindows).toBe(0);
  });
});
