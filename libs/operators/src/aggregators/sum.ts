import type { Aggregator } from './aggregator';
import { OP_SUM, registerNumericOp } from './numeric-ops';

/** Plain IEEE addition: exact for integers below 2^53, order-dependent in the last bits otherwise. */
export function sum(): Aggregator<number, number> {
  return registerNumericOp(
    {
      input: 'number',
      accumulator: 'number',
      commutative: true,
      create: () => 0,
      add: (acc, value) => acc + value,
      merge: (a, b) => a + b,
      result: (acc) => acc,
    },
    OP_SUM,
  );
}
