import type { IHeaders, Producer } from 'kafkajs';
import type { OutgoingHeaders, OutgoingRecord } from './types';

export interface SentRecordPosition {
  partition: number;
  /** offset of the first record of this send on that partition */
  baseOffset: bigint;
}

/** Idempotent (acks=all) producer; records keep their order per partition. */
export class KafkaProducer {
  private closing: Promise<void> | undefined;

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
        headers: record.headers && toKafkajsHeaders(record.headers),
        partition: record.partition,
        timestamp: record.timestamp === undefined ? undefined : String(record.timestamp),
      })),
    });
    return metadata.map((entry) => ({
      partition: entry.partition,
      baseOffset: BigInt(entry.baseOffset ?? '-1'),
    }));
  }

  /** safe to call more than once */
  disconnect(): Promise<void> {
    this.closing ??= this.producer.disconnect();
    return this.closing;
  }
}

/** a prototype-less copy, so a header named `__proto__` is sent as a header */
function toKafkajsHeaders(headers: OutgoingHeaders): IHeaders {
  const out = Object.create(null) as IHeaders;
  for (const [name, value] of Object.entries(headers)) out[name] = value;
  return out;
}
