import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hashKey, KeyTable, NONE } from '../src/state/key-table';

type Step = { op: 'intern' | 'release' | 'lookup'; key: string };

describe('KeyTable (open addressing over key hashes)', () => {
  it('agrees with a Map model under any sequence of interning, releasing and looking up', () => {
    // A small key space makes the same keys come and go many times: released entries, id reuse, rebuilds.
    const key = fc.integer({ min: 0, max: 300 }).map((n) => `user-${n}`);
    const step = fc.record({ op: fc.constantFrom('intern', 'release', 'lookup'), key }) as fc.Arbitrary<Step>;
    fc.assert(
      fc.property(fc.array(step, { maxLength: 2_000 }), (steps) => {
        const table = new KeyTable();
        const model = new Map<string, number>();
        for (const { op, key } of steps) {
          // `key` is built anew each time, as a decoder makes a fresh string per record.
          const fresh = [...key].join('');
          if (op === 'intern') {
            const id = table.intern(fresh);
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
