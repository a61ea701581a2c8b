import type { Aggregator, JsonValue } from './aggregator';
import { OP_AVG, registerNumericOp } from './numeric-ops';

export interface AvgAccumulator {
  sum: number;
  count: number;
}

/**
 * Mean of the values; the (sum, count) pair is what makes partial averages mergeable. The operator keeps
 * it as two float64 cells of the window (accumulator-columns.ts), computing exactly what these functions do.
 */
export function avg(): Aggregator<AvgAccumulator, number> {
  return registerNumericOp<AvgAccumulator, number>(
    {
      input: 'number',
      accumulator: 'object',
      commutative: true,
      create: () => ({ sum: 0, count: 0 }),
      add: (acc, value) => {
        acc.sum += value;
        acc.count += 1;
        return acc;
      },
      merge: (a, b) => ({ sum: a.sum + b.sum, count: a.count + b.count }),
      result: (acc) => (acc.count === 0 ? null : acc.sum / acc.count),
      toJSON: (acc) => [acc.sum, acc.count],
      fromJSON: (json: JsonValue) => {
        const [sum, count] = json as [number, number];
        return { sum, count };
      },
    },
    OP_AVG,
  );
}
