import type { Aggregator, JsonValue } from './aggregator';

export type DistinctValue = string | number | boolean;

/** Exact distinct count: keeps the set of values, so its state grows with the window's cardinality. */
export function countDistinct(): Aggregator<Set<DistinctValue>, DistinctValue> {
  return {
    input: 'primitive',
    accumulator: 'object',
    commutative: true,
    create: () => new Set(),
    add: (acc, value) => acc.add(value),
    merge: (a, b) => {
      const merged = new Set(a);
      for (const value of b) merged.add(value);
      return merged;
    },
    result: (acc) => acc.size,
    toJSON: (acc) => [...acc],
    fromJSON: (json: JsonValue) => new Set(json as DistinctValue[]),
  };
}
