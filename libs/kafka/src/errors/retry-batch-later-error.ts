/**
 * Thrown by a batch handler that cannot finish its batch now but may later (the DLQ cannot be written, too
 * much of the batch would be dead-lettered): `KafkaConsumer` then pauses that partition, commits nothing,
 * and re-delivers the batch from its first offset after a backoff — other partitions keep flowing. Any other
 * error thrown by a handler goes to kafkajs, which retries and then restarts or crashes the consumer.
 */
export class RetryBatchLaterError extends Error {
  override readonly name: string = 'RetryBatchLaterError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
