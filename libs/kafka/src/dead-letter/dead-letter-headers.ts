/** Headers a dead-lettered record carries: why it failed and where it came from. */
export const DeadLetterHeaders = {
  errorClass: 'lk.error.class',
  errorMessage: 'lk.error.message',
  originalTopic: 'lk.original.topic',
  originalPartition: 'lk.original.partition',
  originalOffset: 'lk.original.offset',
  originalTimestamp: 'lk.original.timestamp',
  /**
   * JSON `{ name: [index, …] }`: which copied header values were null in the original. kafkajs cannot send a
   * null header value, so those are copied as empty values and listed here (see README).
   */
  nullHeaderValues: 'lk.null-header-values',
  /** set when the letter had to be cut to fit the DLQ topic: the original value's length in bytes */
  truncatedOriginalBytes: 'lk.truncated.original-bytes',
  /** sha256 (hex) of the original value, so the letter can be matched with the source record */
  truncatedSha256: 'lk.truncated.sha256',
  /** what was cut, in order: "value", then "headers" (the original ones), then "key" */
  truncatedFields: 'lk.truncated.fields',
} as const;
