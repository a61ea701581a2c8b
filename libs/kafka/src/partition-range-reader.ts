import type { KafkaClient } from './kafka-client';
import type { ConsumerSettings } from './settings';
import type { ConsumedBatch } from './types';

export interface PartitionRangeOptions {
  topic: string;
  partition: number;
  /** the first offset to deliver */
  fromOffset: number;
  /** the offset to stop before (e.g. the log end offset snapshotted when a replay was created) */
  endOffset: number;
  /**
   * the group the reader joins wanting only `partition` (see `wantedPartitions`): readers of other partitions
   * may share it, e.g. a replay's jobs share the run's group, whose committed offsets then show its progress
   */
  groupId: string;
  /**
   * after each batch: the offset up to which the caller has made the records durable, committed to the group
   * when it moved (lag tools only); undefined commits nothing
   */
  durableOffset?: () => number | undefined;
  /** gets the records of [fromOffset, endOffset) in order, each once; a throw ends the read with it */
  onBatch: (batch: ConsumedBatch) => Promise<void>;
  /** ends the read early, rejecting with the signal's reason */
  signal?: AbortSignal;
  settings?: ConsumerSettings;
}

/**
 * Reads one partition from `fromOffset` up to `endOffset` (exclusive) and resolves once every record of that
 * range was handled: a bounded read of retained history, as a replay's per-partition job needs. Records
 * outside the range are never delivered; after a consumer restart the read goes on where it was.
 */
export async function readPartitionRange(kafka: KafkaClient, options: PartitionRangeOptions): Promise<void> {
  const { topic, partition, endOffset, signal } = options;
  let position = options.fromOffset;
  let committed = -1;
  if (position >= endOffset) return;
  signal?.throwIfAborted();
  const consumer = kafka.consumer(options.groupId, {
    ...options.settings,
    wantedPartitions: { topic, partitions: [partition] },
  });
  await consumer.connect();
  try {
    await new Promise<void>((resolve, reject) => {
      let settled = false;
      const settle = (error?: unknown): void => {
        if (settled) return;
        settled = true;
        signal?.removeEventListener('abort', onAbort);
        if (error === undefined) resolve();
        else reject(error instanceof Error ? error : new Error(String(error)));
      };
      const onAbort = (): void => settle(signal?.reason ?? new Error('read aborted'));
      signal?.addEventListener('abort', onAbort, { once: true });
      consumer
        .waitForStop()
        .then(
          () =>
            settle(new Error(`the reader of ${topic}[${partition}] stopped at ${position} of ${endOffset}`)),
          settle,
        );
      // on every (re)assignment: go on from where the read is, whatever offset the group would start at
      consumer.on('assigned', () => consumer.seek(topic, partition, BigInt(position)));
      consumer
        .run({
          topics: [topic],
          fromBeginning: true,
          commit: 'manual',
          eachBatch: async (batch) => {
            if (settled || batch.partition !== partition) return;
            const records = batch.records.filter((record) => {
              const offset = Number(record.offset);
              return offset >= position && offset < endOffset;
            });
            try {
              if (records.length > 0) await options.onBatch({ ...batch, records });
            } catch (error) {
              settle(error);
              return;
            }
            const last = batch.records.at(-1);
            if (last !== undefined) position = Math.max(position, Number(last.offset) + 1);
            const durable = options.durableOffset?.();
            if (durable !== undefined && durable > committed) {
              committed = durable;
              await consumer.commit([{ topic, partition, offset: BigInt(durable) }]).catch(() => undefined); // lag display only; a rebalance in progress refuses it
            }
            if (position >= endOffset) settle();
          },
        })
        .catch(settle);
    });
  } finally {
    await consumer.disconnect();
  }
}
