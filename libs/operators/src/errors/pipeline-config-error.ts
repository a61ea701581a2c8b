import { describeValue } from './describe-value';

export interface PipelineConfigErrorDetails {
  /** The pipeline's name, when it has a usable one. */
  readonly pipeline?: string;
  /** 0-based position in the pipelines list, used when the name itself is missing or bad. */
  readonly index?: number;
  /** Dotted path of the bad field inside the pipeline, e.g. `window.size` or `aggregations[1].field`. */
  readonly field: string;
  /** What would have been accepted, phrased to follow "expected". */
  readonly expected: string;
  /** The offending value (rendered with describeValue). */
  readonly got?: unknown;
  /** Replaces the rendered value when the problem is not a value (e.g. a YAML syntax error). */
  readonly detail?: string;
}

/**
 * A bad pipelines.yaml. Services parse it at start-up and die with this message, so it names the pipeline,
 * the field and what was expected.
 */
export class PipelineConfigError extends Error {
  override readonly name = 'PipelineConfigError';
  readonly pipeline: string | undefined;
  readonly index: number | undefined;
  readonly field: string;
  readonly expected: string;
  readonly got: unknown;

  constructor(details: PipelineConfigErrorDetails) {
    const where =
      details.pipeline !== undefined
        ? `pipeline "${details.pipeline}"`
        : details.index !== undefined
          ? `pipeline #${details.index + 1}`
          : 'pipelines';
    super(
      `${where}: ${details.field}: expected ${details.expected}, got ${details.detail ?? describeValue(details.got)}`,
    );
    this.pipeline = details.pipeline;
    this.index = details.index;
    this.field = details.field;
    this.expected = details.expected;
    this.got = details.got;
  }
}
