import { describeValue } from './describe-value';

/**
 * The pipeline bounds event time by the record timestamp (`maxEventTimeSkew`) but the caller passed no usable
 * record timestamp (none, or not an integer). A caller error, not a bad record: skipping the check would let
 * this run keep events that another run of the same log refuses, so batch and stream results would diverge.
 * Do not dead-letter it; fix the caller (pass the Kafka record's timestamp) or drop the bound.
 */
export class MissingRecordTimestampError extends Error {
  override readonly name = 'MissingRecordTimestampError';

  constructor(
    readonly pipeline: string,
    readonly got: unknown,
  ) {
    super(
      `pipeline "${pipeline}": maxEventTimeSkew needs each record's timestamp (integer epoch milliseconds), ` +
        `got ${describeValue(got)}`,
    );
  }
}
