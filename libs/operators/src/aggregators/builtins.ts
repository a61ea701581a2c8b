import type { Aggregator } from './aggregator';
import { avg } from './avg';
import { count } from './count';
import { countDistinct } from './count-distinct';
import { max } from './max';
import { min } from './min';
import { sum } from './sum';

/** The `fn` names pipelines.yaml may use without registering anything. */
export const BUILTIN_AGGREGATORS = {
  count,
  sum,
  min,
  max,
  avg,
  count_distinct: countDistinct,
} as const satisfies Record<string, () => Aggregator>;

export type BuiltinAggregatorName = keyof typeof BUILTIN_AGGREGATORS;

export function isBuiltinAggregator(name: string): name is BuiltinAggregatorName {
  return Object.hasOwn(BUILTIN_AGGREGATORS, name);
}
