import type { Aggregator, JsonValue } from './aggregator';

export type DistinctValue = string | number | boolean;

/**
 * The values seen: an array while there are at most SMALL_SET of them, a Set beyond. Most windows see a
 * few distinct values (event types, countries of one user); an array of a few values takes a fraction of
 * an empty Set's memory and a scan of it is faster than hashing (bench: "all" aggregations).
 */
export type DistinctAccumulator = DistinctValue[] | Set<DistinctValue>;

export const SMALL_SET = 8;

function addValue(acc: DistinctAccumulator, value: DistinctValue): DistinctAccumulator {
  if (!Array.isArray(acc)) return acc.add(value);
  // `includes` is SameValueZero, like a Set: 1 and '1' are distinct, -0 and 0 are not.
  if (acc.includes(value)) return acc;
  if (acc.length < SMALL_SET) {
    acc.push(value);
    return acc;
  }
  return new Set(acc).add(value);
}

function fromValues(values: readonly DistinctValue[]): DistinctAccumulator {
  const acc: DistinctAccumulator = [];
  return values.reduce(addValue, acc);
}

/** Exact distinct count: keeps the values, so its state grows with the window's cardinality. */
export function countDistinct(): Aggregator<DistinctAccumulator, DistinctValue> {
  return {
    input: 'primitive',
    accumulator: 'object',
    commutative: true,
    create: () => [],
    add: addValue,
    merge: (a, b) => {
      let merged = fromValues([...a]);
      for (const value of b) merged = addValue(merged, value);
      return merged;
    },
    result: (acc) => (Array.isArray(acc) ? acc.length : acc.size),
    toJSON: (acc) => [...acc],
    fromJSON: (json: JsonValue) => fromValues(json as DistinctValue[]),
  };
}
