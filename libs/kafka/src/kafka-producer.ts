import type { IHeaders, Message, Producer } from 'kafkajs';
import type { OutgoingHeaders, OutgoingRecord } from './types';

export interface SentRecordPosition {
  partition: number;
  /** offset of the first record of this send on that partition */
  baseOffset: bigint;
}

/** the partition kafkajs's partitioner put each message of a send in (filled by `KafkaClient`) */
export type MessagePlacements = WeakMap<object, number>;

/** how often one send goes again for partitions kafkajs left unsent (one leader change each, see below) */
const MAX_RESENDS = 10;

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
   * Sends the records and resolves once every one of them is acknowledged by all in-sync replicas.
   *
   * kafkajs retries a send per broker, not per partition: when a broker fails mid-send and its partitions'
   * leadership moves to a broker that has already answered for its own partitions, the retry skips that
   * broker and the send resolves without those partitions ever written (libs/kafka/README.md). Their
   * records are sent again here, pinned to the partition they were placed in. The idempotent producer
   * makes that safe: a batch that did reach the log before the failure is recognised by its sequence
   * number and acknowledged with its first offset, not appended twice.
   */
  async send(topic: string, records: OutgoingRecord[]): Promise<SentRecordPosition[]> {
    let messages: Message[] = records.map((record) => ({
      key: record.key,
      value: record.value,
      headers: record.headers && toKafkajsHeaders(record.headers),
      partition: record.partition,
      timestamp: record.timestamp === undefined ? undefined : String(record.timestamp),
    }));
    const positions: SentRecordPosition[] = [];
    for (let resend = 0; ; resend++) {
      const metadata = await this.producer.send({ topic, acks: -1, messages });
      const acknowledged = new Set<number>();
      for (const entry of metadata) {
        acknowledged.add(entry.partition);
        positions.push({ partition: entry.partition, baseOffset: BigInt(entry.baseOffset ?? '-1') });
      }
      const unsent = messages.filter((message) => !acknowledged.has(this.placements.get(message) ?? -1));
      if (unsent.length === 0) return positions;
      if (resend === MAX_RESENDS) {
        const partitions = [...new Set(unsent.map((m) => this.placements.get(m)))].join(', ');
        throw new Error(
          `send to ${topic}: partitions ${partitions} still unacknowledged after ${MAX_RESENDS} resends`,
        );
      }
      messages = unsent.map((message) => ({ ...message, partition: this.placements.get(message) }));
    }
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
