import type { Producer } from 'kafkajs';
import type { OutgoingRecord } from './types';

export interface SentRecordPosition {
  partition: number;
  /** offset of the first record of this send on that partition */
  baseOffset: bigint;
}

/** Idempotent (acks=all) producer; records keep their order per partition. */
export class KafkaProducer {
  constructor(private readonly producer: Producer) {}

  async connect(): Promise<void> {
    await this.producer.connect();
  }

  async send(topic: string, records: OutgoingRecord[]): Promise<SentRecordPosition[]> {
    const metadata = await this.producer.send({
      topic,
      acks: -1,
      messages: records.map((record) => ({
        key: record.key,
        value: record.value,
        headers: record.headers,
        partition: record.partition,
        timestamp: record.timestamp === undefined ? undefined : String(record.timestamp),
      })),
    });
    return metadata.map((entry) => ({
      partition: entry.partition,
      baseOffset: BigInt(entry.baseOffset ?? '-1'),
    }));
  }

  async disconnect(): Promise<void> {
    await this.producer.disconnect();
  }
}
