import {
  decodingBatchHandler,
  type ConsumedBatch,
  type ConsumedRecord,
  type DeadLetter,
  type DeadLetterQueue,
} from '@lk/kafka';
import type { KeyedWindowOperator } from '@lk/operators';

export interface OperatorBatchHandlerOptions<E extends object> {
  /** decodes a record's value; throws a poison error (see isPoison) for records that can never be read */
  readonly decode: (record: ConsumedRecord) => Promise<E>;
  /** errors that are properties of the record (decoding, or the operator refusing the event): DLQ */
  readonly isPoison: (error: unknown) => boolean;
  readonly deadLetters: DeadLetterQueue;
  /** records sent to the DLQ, undecodable or refused */
  readonly onDeadLettered?: (count: number) => void;
  /** after each batch: events the operator took (those it refused are reported by onDeadLettered) */
  readonly onApplied?: (applied: number) => void;
}

/**
 * A batch handler feeding a partition's records to the operator. Undecodable records go to the DLQ before
 * the rest is applied (with the safety valve of decodingBatchHandler); events the operator refuses (no usable
 * key or time, time too far ahead of the record) go there too. Either way the offset moves past them, so the
 * partition resumes after the batch. Shared by the streaming job and the partition replays.
 */
export function operatorBatchHandler<E extends object>(
  operator: KeyedWindowOperator<E>,
  options: OperatorBatchHandlerOptions<E>,
): (batch: ConsumedBatch) => Promise<void> {
  return decodingBatchHandler<E>({
    decode: options.decode,
    isPoison: options.isPoison,
    deadLetters: options.deadLetters,
    onDeadLettered: options.onDeadLettered,
    handle: async (batch, decoded) => {
      const refused: DeadLetter[] = [];
      let applied = 0;
      for (const { record, value } of decoded) {
        try {
          // the record key is read only by a pipeline keyed by $key
          if (operator.process(value, record.partition, Number(record.offset), record.timestamp, record.key))
            applied++;
        } catch (error) {
          if (!options.isPoison(error)) throw error;
          refused.push({ record, error: error as Error });
        }
      }
      if (refused.length > 0) {
        await options.deadLetters.send(refused);
        options.onDeadLettered?.(refused.length);
      }
      const last = batch.records[batch.records.length - 1]!;
      operator.skipTo(last.partition, Number(last.offset) + 1);
      options.onApplied?.(applied);
    },
  });
}
