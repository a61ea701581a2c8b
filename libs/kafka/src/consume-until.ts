import type { KafkaClient } from './kafka-client';
import type { ConsumerSettings } from './settings';
import type { ConsumedBatch, ConsumedRecord } from './types';

export interface ConsumeUntilOptions {
  topics: string[];
  groupId: string;
  /** true once enough was read; gets everything read so far */
  done: (records: ConsumedRecord[]) => boolean;
  fromBeginning?: boolean;
  timeoutMs?: number;
  /** called with each batch before it is added, e.g. to transform or check it */
  onBatch?: (batch: ConsumedBatch) => Promise<void>;
  /** overrides of the client's consumer settings */
  settings?: ConsumerSettings;
}

/**
 * Reads in a consumer group until `done` says so, then disconnects (also on timeout or error). For tools and
 * tests that need "everything up to here", not for long-running jobs. A consumer that crashes for good
 * while reading ends it with a `ConsumerCrashedError` whose cause is the original error.
 */
export async function consumeUntil(
  kafka: KafkaClient,
  options: ConsumeUntilOptions,
): Promise<ConsumedRecord[]> {
  const consumer = kafka.consumer(options.groupId, options.settings);
  const timeoutMs = options.timeoutMs ?? 30_000;
  const records: ConsumedRecord[] = [];
  await consumer.connect();
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `read ${records.length} records from ${options.topics.join(',')} in ${timeoutMs} ms without finishing`,
            ),
          ),
        timeoutMs,
      );
      const fail = (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      };
      // a crash after start: kafkajs's run() has resolved long before
      consumer.waitForStop().catch(fail);
      consumer
        .run({
          topics: options.topics,
          fromBeginning: options.fromBeginning ?? true,
          eachBatch: async (batch) => {
            await options.onBatch?.(batch);
            records.push(...batch.records);
          },
          // finish only once the batch that completed the read is committed, so the group's position is final
          onCommitted: () => {
            if (options.done(records)) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(fail);
    });
  } finally {
    await consumer.disconnect();
  }
  return records;
}
