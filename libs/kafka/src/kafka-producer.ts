import type { IHeaders, Message, Producer } from 'kafkajs';
import { UnacknowledgedSendError } from './errors/unacknowledged-send-error';
import type { OutgoingHeaders, OutgoingRecord } from './types';

export interface SentRecordPosition {
  partition: number;
  /** offset of the first record of this send on that partition */
  baseOffset: bigint;
}

/** the partition kafkajs's partitioner put each message of a send in (filled by `KafkaClient`) */
export type MessagePlacements = WeakMap<object, number>;

/** Idempotent (acks=all) producer; records keep their order per partition. */
export class KafkaProducer {
  private closing: Promise<void> | undefined;

  constructor(
    private readonly producer: Producer,
    private readonly placements: MessagePlacements = new WeakMap(),
  ) {}

  async connect(): Promise<void> {
    await this.producer.connect();
  }

  /**
   * Sends the records; resolves once each is acknowledged by all in-sync replicas, with one position per
   * partition. kafkajs 2.2.4 resolved a send that had skipped partitions after a leader change (fixed by
   * patches/kafkajs@2.2.4.patch, see README): a send without an acknowledgement for each partition it
   * placed records in fails here instead of passing for written.
   */
  async send(topic: string, records: OutgoingRecord[]): Promise<SentRecordPosition[]> {
    const messages: Message[] = records.map((record) => ({
      key: record.key,
      value: record.value,
      headers: record.headers && toKafkajsHeaders(record.headers),
      partition: record.partition,
      timestamp: record.timestamp === undefined ? undefined : String(record.timestamp),
    }));
    const metadata = await this.producer.send({ topic, acks: -1, messages });
    const acknowledged = new Set(metadata.map((entry) => entry.partition));
    const unacknowledged = new Set(
      messages.map((m) => this.placements.get(m)).filter((p) => p !== undefined && !acknowledged.has(p)),
    );
    if (unacknowledged.size > 0 || acknowledged.size < metadata.length)
      throw new UnacknowledgedSendError(
        topic,
        metadata.map((entry) => entry.partition),
        [...new Set(messages.map((m) => this.placements.get(m) ?? -1))],
      );
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
