import type { Aggregator } from './aggregator';
import { OP_MIN, registerNumericOp } from './numeric-ops';

export function min(): Aggregator<number, number> {
  return registerNumericOp(
    {
      input: 'number',
      accumulator: 'number',
      commutative: true,
      create: () => Infinity,
      add: (acc, value) => (value < acc ? value : acc),
      merge: (a, b) => (b < a ? b : a),
      // Infinity is the identity, meaning no value was seen (inputs are finite).
      result: (acc) => (acc === Infinity ? null : acc),
    },
    OP_MIN,
  );
}
