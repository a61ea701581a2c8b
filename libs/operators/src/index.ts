// Pure event-time windowing shared by the batch and streaming paths: no I/O, no clocks.
export {
  describeValue,
  EventTimeSkewError,
  InvalidEventError,
  InvalidPartitionError,
  MissingRecordTimestampError,
  OperatorStateError,
  PipelineConfigError,
} from './errors';
export type { PipelineConfigErrorDetails } from './errors';
export {
  MAX_DURATION_MS,
  MAX_EVENT_TIME_MS,
  MAX_KEY_LENGTH,
  MAX_PARTITION,
  MAX_WINDOWS_PER_EVENT,
} from './limits';

export type { FixedWindowAssigner, SessionWindowAssigner, Window, WindowAssigner } from './windows/window';
export { tumbling } from './windows/tumbling';
export { sliding } from './windows/sliding';
export { session } from './windows/session';
export { windowAssigner } from './windows/from-spec';

export type { Aggregator, AggregatorRegistry, JsonValue } from './aggregators/aggregator';
export { defineAggregator } from './aggregators/aggregator';
export { count } from './aggregators/count';
export { sum } from './aggregators/sum';
export { min } from './aggregators/min';
export { max } from './aggregators/max';
export { avg, type AvgAccumulator } from './aggregators/avg';
export { countDistinct, type DistinctValue } from './aggregators/count-distinct';
export { BUILTIN_AGGREGATORS, type BuiltinAggregatorName } from './aggregators/builtins';
export { resolveAggregators } from './aggregators/resolve';

export type { AggregationSpec, Pipeline, RecordFormat, WindowSpec } from './pipeline/types';
export { RECORD_FORMATS } from './pipeline/types';
export {
  fieldReader,
  pathProblem,
  RECORD_KEY,
  RECORD_TIMESTAMP,
  type FieldReader,
} from './pipeline/field-path';
export {
  DURATION_EXPECTATION,
  DURATION_UNITS_MS,
  parseDuration,
  type DurationSyntax,
} from './pipeline/duration';
export {
  findPipeline,
  parsePipelines,
  validatePipelines,
  type ParsePipelinesOptions,
} from './pipeline/parse';
export { isReservedName, RESERVED_NAMES } from './pipeline/reserved-names';
export { minStateRetention } from './pipeline/state-retention';
export { toDefinition } from './pipeline/to-definition';

export type {
  LateRecord,
  OperatorOutput,
  ResultChange,
  SourceRecord,
  WindowRetraction,
} from './operator/types';
export {
  KeyedWindowOperator,
  type KeyedWindowOperatorOptions,
  type OperatorMode,
  type OperatorStats,
} from './operator/keyed-window-operator';
export { ResultTable } from './operator/result-table';
export { WindowResult } from './operator/window-result';

export {
  resultValuesEqual,
  SUM_ABSOLUTE_TOLERANCE,
  SUM_RELATIVE_TOLERANCE,
  valuesEqual,
} from './compare/values-equal';

export type { OperatorSnapshot, PartitionSnapshot, WindowSnapshot } from './state/snapshot';
export { OPERATOR_SNAPSHOT_FORMAT, PARTITION_SNAPSHOT_FORMAT } from './state/snapshot';
