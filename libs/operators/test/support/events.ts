import { KeyedWindowOperator, type KeyedWindowOperatorOptions, type Pipeline } from '../../src';
import type { TestEvent } from './harness';

export function ev(k: string, t: number, v = 1, c = 'x'): TestEvent {
  return { k, t, v, c };
}

/** An operator plus a terse way to feed it `[key, time]` events on a partition. */
export function operatorFor(p: Pipeline, options?: KeyedWindowOperatorOptions) {
  const operator = new KeyedWindowOperator<TestEvent>(p, options);
  const feed = (partition: number, ...events: (TestEvent | [string, number])[]): void => {
    for (const e of events) operator.process(Array.isArray(e) ? ev(e[0], e[1]) : e, partition);
  };
  /** Flushes and reduces the output to what hand-computed cases state. */
  const take = () => {
    const output = operator.flush();
    return {
      changes: output.changes.map((c) => ({
        key: c.key,
        window: [c.windowStart, c.windowEnd],
        n: c.values['n'],
        revision: c.revision,
        final: c.final,
      })),
      retractions: output.retractions.map((r) => [r.key, r.windowStart, r.windowEnd]),
      late: output.late.map((r) => ({
        t: r.event.t,
        window: [r.windowStart, r.windowEnd],
        watermark: r.watermark,
      })),
    };
  };
  return { operator, feed, take };
}
