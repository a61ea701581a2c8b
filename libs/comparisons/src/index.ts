export { Comparator, type ComparatorOptions } from './comparator';
export { Comparisons, type ComparisonRow } from './comparisons';
export {
  ROW_CLASSES,
  type ComparedSide,
  type ComparisonReport,
  type ComparisonRequest,
  type ComparisonSummary,
  type EndOffsetsReader,
  type JobFreshness,
  type LateDrops,
  type ReplayFigures,
  type RowClass,
  type Scorecard,
  type WhatIf,
} from './comparison';
export { ComparisonNotFoundError, ComparisonRequestError } from './errors';
export { formatSource, LATEST_BATCH_RUN, parseSource, type SourceSpec } from './sources/source-spec';
export type { ResolvedSource } from './sources/resolved-source';
export { reportText } from './report-text';
