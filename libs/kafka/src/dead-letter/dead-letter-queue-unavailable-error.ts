import { RetryBatchLaterError } from '../errors/retry-batch-later-error';

/**
 * The DLQ topic cannot be written (missing, or the broker refuses the send). The batch is retried later
 * rather than committed: skipping the poison records' offsets without a copy would lose them.
 */
export class DeadLetterQueueUnavailableError extends RetryBatchLaterError {
  override readonly name = 'DeadLetterQueueUnavailableError';
  constructor(
    readonly dlqTopic: string,
    cause: unknown,
  ) {
    super(
      `dead-letter topic ${dlqTopic} cannot be written: ${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    );
  }
}
