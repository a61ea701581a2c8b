import type { Aggregator } from './aggregator';
import { OP_COUNT, registerNumericOp } from './numeric-ops';

/** Number of events (or, with a field, of events where the field is present). */
export function count(): Aggregator<number, unknown> {
  return registerNumericOp(
    {
      input: 'any',
      accumulator: 'number',
      commutative: true,
      create: () => 0,
      add: (acc) => acc + 1,
      merge: (a, b) => a + b,
      result: (acc) => acc,
    },
    OP_COUNT,
  );
}
