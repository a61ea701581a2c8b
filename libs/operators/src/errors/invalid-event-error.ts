import { describeValue } from './describe-value';

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
