import type { Consumer, EachBatchPayload } from 'kafkajs';
import type { ConsumedBatch, ConsumedRecord, Headers } from './types';

export interface ConsumeOptions {
  topics: string[];
  /** where a group with no committed offset starts; versioned groups start from the earliest */
  fromBeginning: boolean;
  /**
   * Called once per fetched batch of one partition. Offsets are committed only after it resolves,
   * so a crash re-delivers the batch rather than skipping it.
   */
  eachBatch: (batch: ConsumedBatch) => Promise<void>;
  /** called after a batch's offsets were committed */
  onCommitted?: (batch: ConsumedBatch) => void;
}

export class KafkaConsumer {
  constructor(
    private readonly consumer: Consumer,
    readonly groupId: string,
  ) {}

  async connect(): Promise<void> {
    await this.consumer.connect();
  }

  async run(options: ConsumeOptions): Promise<void> {
    await this.consumer.subscribe({ topics: options.topics, fromBeginning: options.fromBeginning });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async (payload: EachBatchPayload) => {
        const { batch } = payload;
        if (batch.messages.length === 0) return;
        const records: ConsumedRecord[] = batch.messages.map((message) => ({
          topic: batch.topic,
          partition: batch.partition,
          offset: BigInt(message.offset),
          key: message.key,
          value: message.value,
          headers: toHeaders(message.headers),
          timestamp: Number(message.timestamp),
        }));
        const consumed: ConsumedBatch = {
          topic: batch.topic,
          partition: batch.partition,
          records,
          highWatermark: BigInt(batch.highWatermark),
        };
        await options.eachBatch(consumed);
        const last = batch.messages[batch.messages.length - 1]!;
        payload.resolveOffset(last.offset);
        await this.consumer.commitOffsets([
          { topic: batch.topic, partition: batch.partition, offset: (BigInt(last.offset) + 1n).toString() },
        ]);
        options.onCommitted?.(consumed);
        await payload.heartbeat();
      },
    });
  }

  async disconnect(): Promise<void> {
    await this.consumer.disconnect();
  }
}

function toHeaders(
  raw: Record<string, Buffer | string | (Buffer | string)[] | undefined> | undefined,
): Headers {
  const headers: Headers = {};
  for (const [name, value] of Object.entries(raw ?? {})) {
    if (value === undefined) continue;
    headers[name] = (Array.isArray(value) ? value[value.length - 1]! : value).toString();
  }
  return headers;
}
