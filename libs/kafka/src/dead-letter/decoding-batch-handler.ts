import type { ConsumedBatch, ConsumedRecord } from '../types';
import { DeadLetterShareExceededError } from './dead-letter-share-exceeded-error';
import type { DeadLetter, DeadLetterQueue } from './dead-letter-queue';

export interface Decoded<T> {
  record: ConsumedRecord;
  value: T;
}

export interface DecodingBatchHandlerOptions<T> {
  decode: (record: ConsumedRecord) => Promise<T>;
  /** true for errors that are properties of the record (retrying cannot help); others fail the batch */
  isPoison: (error: unknown) => boolean;
  deadLetters: DeadLetterQueue;
  /** receives the decodable records of the batch, in offset order */
  handle: (batch: ConsumedBatch, decoded: Decoded<T>[]) => Promise<void>;
  onDeadLettered?: (count: number, batch: ConsumedBatch) => void;
  /** the safety valve; see `defaultSafetyValve` */
  safetyValve?: { maxDeadLetterShare?: number; minBatchSize?: number };
}

/**
 * The safety valve's defaults. More than half of a batch undecodable points at the environment (a registry
 * that lost its schemas, a producer writing another format) rather than at the records, so the batch is not
 * dead-lettered but retried later with an alert. Batches below 10 records are exempt: the share of one bad
 * record in a small batch says nothing (a lone poison record fetched alone must still reach the DLQ, or it
 * would block its partition for good), and at low traffic batches are small.
 */
export const defaultSafetyValve = { maxDeadLetterShare: 0.5, minBatchSize: 10 } as const;

/**
 * Wraps a batch handler with poison-message handling. Undecodable records go to the DLQ *before* the good
 * ones are handled, and the consumer commits only after both: a crash in between re-delivers the batch
 * (the DLQ may then hold a record twice, identifiable by its original offset header) but never loses one.
 * A non-poison error (e.g. registry down) fails the whole batch so it is retried, not dead-lettered. A DLQ
 * that cannot be written, or a batch over the safety valve's share, throws a `RetryBatchLaterError`
 * subclass: `KafkaConsumer` pauses the partition and re-delivers the batch after a backoff.
 */
export function decodingBatchHandler<T>(
  options: DecodingBatchHandlerOptions<T>,
): (batch: ConsumedBatch) => Promise<void> {
  const maxShare = options.safetyValve?.maxDeadLetterShare ?? defaultSafetyValve.maxDeadLetterShare;
  const minBatchSize = options.safetyValve?.minBatchSize ?? defaultSafetyValve.minBatchSize;
  return async (batch) => {
    const decoded: Decoded<T>[] = [];
    const poison: DeadLetter[] = [];
    for (const record of batch.records) {
      try {
        decoded.push({ record, value: await options.decode(record) });
      } catch (error) {
        if (!options.isPoison(error)) throw error;
        poison.push({ record, error: error as Error });
      }
    }
    const size = batch.records.length;
    if (size >= minBatchSize && poison.length > maxShare * size)
      throw new DeadLetterShareExceededError(
        batch.topic,
        batch.partition,
        poison.length,
        size,
        maxShare,
        poison[0]!.error,
      );
    if (poison.length > 0) {
      await options.deadLetters.send(poison);
      options.onDeadLettered?.(poison.length, batch);
    }
    await options.handle(batch, decoded);
  };
}
