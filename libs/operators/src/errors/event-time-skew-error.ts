/**
 * An event whose time runs further ahead of its Kafka record timestamp than the pipeline's
 * `maxEventTimeSkew` allows. It is refused before it can move its partition's watermark (a clock error in one
 * producer would otherwise make every later event of the partition late); the caller dead-letters the record
 * with this message. Deterministic: both times are in the log, so every replay refuses the same records.
 */
export class EventTimeSkewError extends Error {
  override readonly name = 'EventTimeSkewError';

  constructor(
    readonly pipeline: string,
    readonly eventTime: number,
    readonly recordTimestamp: number,
    readonly maxEventTimeSkew: number,
  ) {
    super(
      `pipeline "${pipeline}": event time ${eventTime} runs ${eventTime - recordTimestamp}ms ahead of the ` +
        `record timestamp ${recordTimestamp}, beyond maxEventTimeSkew (${maxEventTimeSkew}ms)`,
    );
  }
}
