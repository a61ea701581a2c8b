import type { IHeaders, Message, Producer } from 'kafkajs';
import { UnacknowledgedSendError } from './errors/unacknowledged-send-error';
import { originalCause } from './original-cause';
import type { OutgoingHeaders, OutgoingRecord } from './types';

export interface SentRecordPosition {
  partition: number;
  /** offset of the first record of this send on that partition */
  baseOffset: bigint;
}

/** the partition kafkajs's partitioner put each message of a send in (filled by `KafkaClient`) */
export type MessagePlacements = WeakMap<object, number>;

/** How connect() tries again after a dropped connection: the delay doubles from `initialMs`, `attempts` in all. */
export interface ConnectRetry {
  attempts: number;
  initialMs: number;
}

/** Idempotent (acks=all) producer; records keep their order per partition. */
export class KafkaProducer {
  private closing: Promise<void> | undefined;

  constructor(
    private readonly producer: Producer,
    private readonly placements: MessagePlacements = new WeakMap(),
    private readonly connectRetry: ConnectRetry = { attempts: 6, initialMs: 300 },
  ) {}

  /**
   * Connects and obtains the producer id. kafkajs 2.2.4 gives up at once when a connection breaks while it asks
   * a broker for the id (its initProducerId retries protocol errors only, and connecting to that broker bails
   * on a connection error): a broker closing connections as it starts or leaves failed the generator with
   * `read ECONNRESET` (see README). A connection error is tried again here, with backoff (~9 s in all).
   */
  async connect(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.producer.connect();
        return;
      } catch (error) {
        const connectionLost = originalCause(error).name === 'KafkaJSConnectionError';
        if (!connectionLost || attempt >= this.connectRetry.attempts) throw error;
        await this.producer.disconnect().catch(() => undefined);
        const delay = this.connectRetry.initialMs * 2 ** (attempt - 1);
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
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
