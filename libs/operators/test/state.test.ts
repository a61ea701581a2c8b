import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KeyedWindowOperator } from '../src';
import { hashKey, KeyTable, NONE } from '../src/state/key-table';

type Step = { op: 'intern' | 'lookup-then-add' | 'release' | 'lookup'; key: string };

describe('KeyTable (open addressing over key hashes)', () => {
  it('agrees with a Map model under any sequence of interning (or looking up, then adding), releasing and looking up', () => {
    // A small key space makes the same keys come and go many times: released entries, id reuse, rebuilds.
    const key = fc.integer({ min: 0, max: 300 }).map((n) => `user-${n}`);
    const step = fc.record({
      op: fc.constantFrom('intern', 'lookup-then-add', 'release', 'lookup'),
      key,
    }) as fc.Arbitrary<Step>;
    fc.assert(
      fc.property(fc.array(step, { maxLength: 2_000 }), (steps) => {
        const table = new KeyTable();
        const model = new Map<string, number>();
        for (const { op, key } of steps) {
          // `key` is built anew each time, as a decoder makes a fresh string per record.
          const fresh = [...key].join('');
          if (op === 'intern' || op === 'lookup-then-add') {
            // the sessions' path: one hash for a lookup and, when it found nothing, the add
            const hash = hashKey(fresh);
            const found = op === 'lookup-then-add' ? table.lookup(fresh, hash) : NONE;
            const id =
              op === 'intern' ? table.intern(fresh) : found !== NONE ? found : table.add(fresh, hash);
            if (model.has(key)) expect(id).toBe(model.get(key));
            else {
              expect([...model.values()]).not.toContain(id);
              model.set(key, id);
            }
          } else if (op === 'release') {
            const id = model.get(key);
            if (id !== undefined) {
              table.release(id);
              model.delete(key);
            }
          } else expect(table.lookup(fresh)).toBe(model.get(key) ?? NONE);
        }
        expect(table.size).toBe(model.size);
        for (const [name, id] of model) {
          expect(table.name(id)).toBe(name);
          expect(table.lookup(name)).toBe(id);
        }
        expect([...table.keyIds()].sort((a, b) => a - b)).toEqual([...model.values()].sort((a, b) => a - b));
      }),
      { numRuns: 200 },
    );
  });

  it('keeps keys whose hashes collide apart', () => {
    // Keys with equal low bits of their hash probe the same entries; find two with an equal full hash too.
    const byHash = new Map<number, string>();
    let collision: [string, string] | undefined;
    for (let n = 0; collision === undefined && n < 2_000_000; n++) {
      const key = `k${n}`;
      const other = byHash.get(hashKey(key));
      if (other !== undefined) collision = [other, key];
      else byHash.set(hashKey(key), key);
    }
    expect(collision).toBeDefined();
    const [a, b] = collision!;
    const table = new KeyTable();
    const idA = table.intern(a);
    const idB = table.intern(b);
    expect(idA).not.toBe(idB);
    expect(table.lookup(a)).toBe(idA);
    expect(table.lookup(b)).toBe(idB);
    table.release(idA);
    expect(table.lookup(a)).toBe(NONE);
    expect(table.lookup(b)).toBe(idB);
  });

  it('gives a released key state back as new: no window chain, no frontier', () => {
    const table = new KeyTable(true);
    const id = table.intern('a');
    table.head[id] = 7;
    table.frontier[id] = 1_000;
    table.release(id);
    const again = table.intern('b');
    expect(again).toBe(id);
    expect(table.head[again]).toBe(NONE);
    expect(table.frontier[again]).toBe(-Infinity);
  });
});

describe('a sink that throws during flushEach', () => {
  const pipeline = {
    name: 'p',
    source: 't',
    key: 'k',
    time: 't',
    window: { type: 'tumbling' as const, size: 10, offset: 0 },
    watermark: { maxOutOfOrderness: 0 },
    allowedLateness: 0,
    aggregations: [{ name: 's', fn: 'sum', field: 'v' }],
  };
  type E = { k: string; t: number; v: number };
  const rows = (changes: readonly { key: string; windowStart: number; values: object; final: boolean }[]) =>
    changes.map((c) => JSON.stringify([c.key, c.windowStart, c.values, c.final])).sort();

  it('loses that flush’s output but leaves the state consistent: later flushes agree with an undisturbed operator', () => {
    const failing = new KeyedWindowOperator<E>(pipeline);
    const reference = new KeyedWindowOperator<E>(pipeline);
    const feed = (...events: E[]) => {
      for (const e of events) {
        failing.process(e, 0);
        reference.process(e, 0);
      }
    };
    feed({ k: 'a', t: 1, v: 1 }, { k: 'b', t: 1, v: 1 }, { k: 'c', t: 2, v: 1 });
    failing.flush();
    reference.flush();
    feed({ k: 'z', t: 10, v: 0 }, { k: 'c', t: 3, v: 1 }); // a, b, c final (c's last event late)
    let seen = 0;
    expect(() =>
      failing.flushEach((r) => {
        if (r.final && ++seen === 2) throw new Error('sink failed');
      }),
    ).toThrow('sink failed');
    reference.flush();
    expect(failing.stats()).toEqual(reference.stats());
    // new windows take the freed slots; every one of them must be its own
    feed(
      { k: 'x', t: 11, v: 100 },
      { k: 'y', t: 12, v: 5 },
      { k: 'w', t: 12, v: 7 },
      { k: 'x', t: 13, v: 1 },
    );
    expect(rows(failing.flush().changes)).toEqual(rows(reference.flush().changes));
    feed({ k: 'z', t: 20, v: 0 }, { k: 'z', t: 30, v: 0 });
    expect(rows(failing.flush().changes)).toEqual(rows(reference.flush().changes));
    expect(failing.stats()).toEqual(reference.stats());
    expect(failing.snapshot()).toEqual(reference.snapshot());
  });
});
