import type { ConsumedBatch, ConsumedRecord } from '../types';
import type { DeadLetterQueue } from './dead-letter-queue';

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
}

/**
 * Wraps a batch handler with poison-message handling. Undecodable records go to the DLQ *before* the good
 * ones are handled, and the consumer commits only after both: a crash in between re-delivers the batch
 * (the DLQ may then hold a record twice, identifiable by its original offset header) but never loses one.
 * A non-poison error (e.g. registry down) fails the whole batch so it is retried, not dead-lettered.
 */
export function decodingBatchHandler<T>(
  options: DecodingBatchHandlerOptions<T>,
): (batch: ConsumedBatch) => Promise<void> {
  return async (batch) => {
    const decoded: Decoded<T>[] = [];
    const poison: { record: ConsumedRecord; error: Error }[] = [];
    for (const record of batch.records) {
      try {
        decoded.push({ record, value: await options.decode(record) });
      } catch (error) {
        if (!options.isPoison(error)) throw error;
        poison.push({ record, error: error as Error });
      }
    }
    if (poison.length > 0) {
      await options.deadLetters.send(poison);
      options.onDeadLettered?.(poison.length, batch);
    }
    await options.handle(batch, decoded);
  };
}
