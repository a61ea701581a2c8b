import { PipelineConfigError } from '../errors';
import type { Pipeline } from '../pipeline/types';
import type { Aggregator, AggregatorRegistry } from './aggregator';
import { BUILTIN_AGGREGATORS, isBuiltinAggregator } from './builtins';

/** The aggregators of a pipeline, in its order: built-ins by name, others from the registry. */
export function resolveAggregators(pipeline: Pipeline, registry: AggregatorRegistry = {}): Aggregator[] {
  return pipeline.aggregations.map(({ fn }, i) => {
    if (isBuiltinAggregator(fn)) return BUILTIN_AGGREGATORS[fn]();
    const custom = Object.hasOwn(registry, fn) ? registry[fn] : undefined;
    if (custom === undefined) {
      throw new PipelineConfigError({
        pipeline: pipeline.name,
        field: `aggregations[${i}].fn`,
        expected: 'a built-in aggregation or one registered in options.aggregators',
        got: fn,
      });
    }
    return custom;
  });
}
