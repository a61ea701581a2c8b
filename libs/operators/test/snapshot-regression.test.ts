import { describe, expect, it } from 'vitest';
import { KeyedWindowOperator, type OperatorSnapshot } from '../src';
import { pipeline, type TestEvent } from './support/harness';

describe('snapshot regressions', () => {
  // Found by property 4 (fast-check seed 62878119): restoring a snapshot whose only state for a key is its
  // final frontier wrote the frontier into a column that interning the key had just replaced, so an event
  // extending the final session was treated as a new session instead of late.
  it('a restored session key keeps its final frontier, so an event touching the final session is late', () => {
    const p = pipeline({ type: 'session', gap: 3000 });
    const event = (k: string, t: number): TestEvent => ({ k, t, v: 0, c: 'c0' });
    const before = new KeyedWindowOperator<TestEvent>(p);
    [event('key5', 1_000_000), event('key0', 1_000_750), event('key0', 1_003_000)].forEach((e, offset) =>
      before.process(e, 0, offset),
    );
    before.flush();
    const after = new KeyedWindowOperator<TestEvent>(p);
    after.restore(JSON.parse(JSON.stringify(before.snapshot())) as OperatorSnapshot);
    after.process(event('key5', 1_003_000), 0, 3);
    const output = after.flush();
    expect(output.late.map((l) => [l.event.k, l.event.t])).toEqual([['key5', 1_003_000]]);
    expect(output.changes.filter((c) => c.key === 'key5')).toEqual([]);
  });
});
