import type { Aggregator } from './aggregator';

/**
 * The built-in numeric aggregators' `add`, spelled out so the accumulator columns can apply it inline
 * instead of through a polymorphic call; avg's (sum, count) object becomes two float64 cells that way. Only the objects the built-in factories return are registered (by
 * identity, so a copy with another `add` is not mistaken for one); everything else goes through `add`.
 */
export const OP_GENERIC = 0;
export const OP_COUNT = 1;
export const OP_SUM = 2;
export const OP_MIN = 3;
export const OP_MAX = 4;
export const OP_AVG = 5;
export type NumericOp = 0 | 1 | 2 | 3 | 4 | 5;

const registered = new WeakMap<object, NumericOp>();

export function registerNumericOp<Acc, In>(
  aggregator: Aggregator<Acc, In>,
  op: NumericOp,
): Aggregator<Acc, In> {
  registered.set(aggregator, op);
  return aggregator;
}

export function numericOpOf(aggregator: object): NumericOp {
  return registered.get(aggregator) ?? OP_GENERIC;
}
