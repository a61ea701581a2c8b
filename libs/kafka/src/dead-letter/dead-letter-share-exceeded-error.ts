import { RetryBatchLaterError } from '../errors/retry-batch-later-error';

/**
 * The safety valve: so much of one batch failed to decode that the cause is more likely the environment
 * (a wrong registry, a producer bug) than the records, so nothing is dead-lettered and the batch is retried
 * later while someone looks.
 */
export class DeadLetterShareExceededError extends RetryBatchLaterError {
  override readonly name = 'DeadLetterShareExceededError';
  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly poisonCount: number,
    readonly batchSize: number,
    readonly maxShare: number,
    readonly sampleError: Error,
  ) {
    super(
      `${poisonCount} of ${batchSize} records of ${topic}[${partition}] would be dead-lettered ` +
        `(more than ${Math.round(maxShare * 100)} %), e.g. ${sampleError.name}: ${sampleError.message}; ` +
        `not dead-lettering, retrying later`,
      { cause: sampleError },
    );
  }
}
