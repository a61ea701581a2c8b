/** A JSON-ish rendering of an offending value, so messages show `"5x"` rather than `5x`. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  if (typeof value === 'bigint') return `${value}n`;
  try {
    const text = JSON.stringify(value);
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
  } catch {
    return String(value);
  }
}

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

/**
 * An event the operator cannot place: missing key, non-numeric time, a non-numeric value for sum/min/max/avg.
 * Thrown before any state is touched, so the operator stays consistent and the caller can dead-letter the
 * event and go on.
 */
export class InvalidEventError extends Error {
  override readonly name = 'InvalidEventError';

  constructor(
    readonly pipeline: string,
    readonly field: string,
    readonly expected: string,
    readonly got: unknown,
  ) {
    super(`pipeline "${pipeline}": event field "${field}": expected ${expected}, got ${describeValue(got)}`);
  }
}

/** Misuse of operator state: restoring a snapshot of another configuration, snapshotting unflushed output. */
export class OperatorStateError extends Error {
  override readonly name = 'OperatorStateError';

  constructor(
    readonly pipeline: string,
    message: string,
  ) {
    super(`pipeline "${pipeline}": ${message}`);
  }
}
