// Inputs that once froze the operator, poisoned a watermark or were silently dropped (issue 7).
import { describe, expect, it } from 'vitest';
import {
  EventTimeSkewError,
  InvalidEventError,
  InvalidPartitionError,
  KeyedWindowOperator,
  MAX_EVENT_TIME_MS,
  MAX_PARTITION,
  MissingRecordTimestampError,
  PipelineConfigError,
  sliding,
  tumbling,
  type Pipeline,
} from '../src';
import { pipeline, type TestEvent } from './support/harness';
import { ev } from './support/events';

const tumbling10s = { type: 'tumbling', size: 10_000, offset: 0 } as const;
const T0 = 1_700_000_000_000;

function withSkew(maxEventTimeSkew: number): Pipeline {
  return { ...pipeline(tumbling10s, 1_000), maxEventTimeSkew };
}

describe('event time', () => {
  it.each([1e300, -1e300, 1.5, 2 ** 53, MAX_EVENT_TIME_MS + 1, -MAX_EVENT_TIME_MS - 1, Number.NaN])(
    'refuses %d with InvalidEventError and changes nothing',
    (t) => {
      const operator = new KeyedWindowOperator<TestEvent>(pipeline(tumbling10s, 1_000));
      operator.process(ev('a', T0), 0);
      operator.flush();
      const before = JSON.stringify(operator.snapshot());
      expect(() => operator.process(ev('a', t), 0, 7)).toThrow(InvalidEventError);
      expect(JSON.stringify(operator.snapshot())).toBe(before);
      expect(operator.watermark(0)).toBe(T0 - 1_000);
      // The partition's later events are still on time.
      operator.process(ev('a', T0 + 1), 0);
      expect(operator.flush()).toMatchObject({ late: [], changes: [{ values: { n: 2 } }] });
    },
  );

  it('accepts the extremes of the range, with exact window bounds', () => {
    const operator = new KeyedWindowOperator<TestEvent>(pipeline(tumbling10s));
    operator.process(ev('a', -MAX_EVENT_TIME_MS), 0);
    operator.process(ev('b', MAX_EVENT_TIME_MS), 1);
    const windows = operator.flush().changes.map((c) => [c.windowStart, c.windowEnd]);
    expect(windows).toEqual([
      [-MAX_EVENT_TIME_MS, -MAX_EVENT_TIME_MS + 10_000],
      [MAX_EVENT_TIME_MS, MAX_EVENT_TIME_MS + 10_000],
    ]);
  });
});

describe('maxEventTimeSkew', () => {
  it('rejects an event whose time runs further ahead of its record timestamp, changing nothing', () => {
    const operator = new KeyedWindowOperator<TestEvent>(withSkew(60_000));
    operator.process(ev('a', T0), 0, 0, T0);
    operator.flush();
    const before = JSON.stringify(operator.snapshot());
    let error: unknown;
    try {
      operator.process(ev('a', T0 + 60_001), 0, 1, T0);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(EventTimeSkewError);
    expect(error).toMatchObject({
      name: 'EventTimeSkewError',
      pipeline: 'p',
      eventTime: T0 + 60_001,
      recordTimestamp: T0,
      maxEventTimeSkew: 60_000,
    });
    expect((error as Error).message).toBe(
      `pipeline "p": event time ${T0 + 60_001} runs 60001ms ahead of the record timestamp ${T0}, ` +
        'beyond maxEventTimeSkew (60000ms)',
    );
    // Neither the watermark nor the offset moved: the record is the DLQ's, not the operator's.
    expect(JSON.stringify(operator.snapshot())).toBe(before);
    expect(operator.watermark(0)).toBe(T0 - 1_000);
    expect(operator.nextOffset(0)).toBe(1);
  });

  it('accepts exactly the bound, and any event time behind the record timestamp (that is lateness)', () => {
    const operator = new KeyedWindowOperator<TestEvent>(withSkew(60_000));
    operator.process(ev('a', T0 + 60_000), 0, 0, T0);
    operator.process(ev('a', T0 - 3_600_000), 0, 1, T0 + 60_000);
    const output = operator.flush();
    expect(output.changes.map((c) => c.values['n'])).toEqual([1]);
    expect(output.late.map((r) => r.event.t)).toEqual([T0 - 3_600_000]);
    expect(operator.watermark(0)).toBe(T0 + 59_000);
  });

  it('applies in batch mode too, so batch and stream see the same events', () => {
    const operator = new KeyedWindowOperator<TestEvent>(withSkew(0), { mode: 'batch' });
    expect(() => operator.process(ev('a', T0 + 1), 0, 0, T0)).toThrow(EventTimeSkewError);
  });

  it('takes record timestamps from processRecords', () => {
    const operator = new KeyedWindowOperator<TestEvent>(withSkew(1_000));
    expect(() =>
      operator.processRecords([{ value: ev('a', T0 + 1_001), partition: 0, offset: 0, timestamp: T0 }]),
    ).toThrow(EventTimeSkewError);
    expect(
      operator.processRecords([{ value: ev('a', T0 + 1_000), partition: 0, offset: 0, timestamp: T0 }]),
    ).toBe(1);
  });

  it('refuses to run without a usable record timestamp rather than skip the check', () => {
    const operator = new KeyedWindowOperator<TestEvent>(withSkew(1_000));
    expect(() => operator.process(ev('a', T0), 0)).toThrow(MissingRecordTimestampError);
    expect(() => operator.process(ev('a', T0), 0, 0, Number.NaN)).toThrow(MissingRecordTimestampError);
    expect(() => operator.process(ev('a', T0), 0, 0, 1e300)).toThrow(MissingRecordTimestampError);
    expect(operator.partitionIds()).toEqual([]);
  });

  it('ignores record timestamps when the pipeline sets no bound', () => {
    const operator = new KeyedWindowOperator<TestEvent>(pipeline(tumbling10s));
    operator.process(ev('a', T0), 0, 0, 0);
    operator.process(ev('a', T0), 0, 1);
    expect(operator.flush().changes[0]!.values['n']).toBe(2);
  });
});

describe('partitions', () => {
  it('processes partition 2^31 − 1 quickly and keeps partitions in ascending order', () => {
    const operator = new KeyedWindowOperator<TestEvent>(pipeline(tumbling10s));
    const started = performance.now();
    operator.process(ev('a', T0), MAX_PARTITION);
    operator.process(ev('b', T0), 3);
    operator.process(ev('c', T0), 1_000_000_000);
    operator.process(ev('d', T0), 0);
    const output = operator.flush();
    operator.advanceToEndOfInput();
    operator.flush();
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(MAX_PARTITION).toBe(2 ** 31 - 1);
    expect(output.changes.map((c) => c.key)).toEqual(['d', 'b', 'c', 'a']);
    expect(operator.partitionIds()).toEqual([0, 3, 1_000_000_000, MAX_PARTITION]);
    expect(operator.snapshot().partitions.map((p) => p.partition)).toEqual(operator.partitionIds());
    expect(operator.watermark(MAX_PARTITION)).toBe(Infinity);
  });

  it.each([-1, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 1.5, Number.NaN, Infinity])(
    'refuses partition %d with InvalidPartitionError, creating no state',
    (partition) => {
      const operator = new KeyedWindowOperator<TestEvent>(pipeline(tumbling10s));
      expect(() => operator.process(ev('a', T0), partition)).toThrow(InvalidPartitionError);
      expect(() => operator.process(ev('a', T0), partition)).toThrow(RangeError);
      expect(() => operator.process(ev('a', T0), partition)).toThrow(
        `partition must be a Kafka partition number (an integer from 0 to ${MAX_PARTITION})`,
      );
      expect(() => operator.advanceToEndOfInput(partition)).toThrow(InvalidPartitionError);
      expect(operator.partitionIds()).toEqual([]);
    },
  );

  it('does not create a partition for an invalid event', () => {
    const operator = new KeyedWindowOperator<TestEvent>(pipeline(tumbling10s));
    expect(() => operator.process(ev('a', Number.NaN), 5)).toThrow(InvalidEventError);
    expect(operator.partitionIds()).toEqual([]);
  });

  it('switches between partitions and releases them without mixing their state', () => {
    const operator = new KeyedWindowOperator<TestEvent>(pipeline(tumbling10s));
    operator.process(ev('a', T0), 7);
    operator.process(ev('b', T0), 2);
    operator.process(ev('a', T0 + 1), 7);
    operator.releasePartition(7);
    operator.process(ev('a', T0 + 2), 7);
    expect(operator.flush().changes.map((c) => [c.key, c.values['n']])).toEqual([
      ['b', 1],
      ['a', 1],
    ]);
    const snapshot = operator.snapshotPartition(2);
    operator.process(ev('b', T0 + 5), 2);
    operator.restorePartition(snapshot);
    operator.process(ev('b', T0 + 6), 2);
    expect(operator.flush().changes.map((c) => [c.key, c.values['n']])).toEqual([['b', 2]]);
  });
});

describe('aggregation names and window definitions are refused by the operator too', () => {
  it.each(['__proto__', 'constructor', 'hasOwnProperty', 'toString'])(
    'refuses the aggregation name %s',
    (name) => {
      const p = pipeline(tumbling10s, 0, 0, [{ name, fn: 'count' }]);
      expect(() => new KeyedWindowOperator(p)).toThrow(PipelineConfigError);
      expect(() => new KeyedWindowOperator(p)).toThrow('aggregations[0].name');
    },
  );

  it('refuses window assigners that would need absurd memory per event or beyond-range durations', () => {
    expect(() => sliding(86_400_000, 1)).toThrow(/at most 1000 windows per event/);
    expect(() => sliding(1_000_000, 1_000)).not.toThrow();
    expect(() => tumbling(1e300)).toThrow(RangeError);
    expect(() => tumbling(1.5)).toThrow(RangeError);
    const p = pipeline({ type: 'sliding', size: 86_400_000, slide: 1, offset: 0 });
    expect(() => new KeyedWindowOperator(p)).toThrow(RangeError);
  });
});
