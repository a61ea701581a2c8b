import type { KafkaAdmin } from '../kafka-admin';
import type { KafkaProducer } from '../kafka-producer';
import type { ConsumedRecord, OutgoingHeaders, OutgoingRecord } from '../types';
import { DeadLetterHeaders } from './dead-letter-headers';
import { DeadLetterQueueUnavailableError } from './dead-letter-queue-unavailable-error';
import { chunkLetters, fitLetter } from './letter-size';

export interface DeadLetter {
  record: ConsumedRecord;
  error: Error;
}

export interface DeadLetterQueueOptions {
  /** the DLQ topic of a source topic; default `<topic>.dlq` */
  topicFor?: (sourceTopic: string) => string;
  /**
   * Used to learn each DLQ topic's `max.message.bytes` once, and to find a missing DLQ topic before
   * sending to it. Without it, `maxMessageBytes` (or Kafka's default) is assumed.
   */
  admin?: KafkaAdmin;
  /** an upper bound on the size of a letter batch; with `admin`, the smaller of the two applies */
  maxMessageBytes?: number;
}

/** Kafka's default `max.message.bytes` (1 MiB + 12 bytes of batch log overhead) */
const kafkaDefaultMaxMessageBytes = 1_048_588;

/** `<topic>.dlq`: where the records of a source topic that can never be processed go (the default). */
export function deadLetterTopic(sourceTopic: string): string {
  return `${sourceTopic}.dlq`;
}

/**
 * Sends records that can never be processed to `<topic>.dlq` as byte-for-byte copies — the key bytes and
 * every header as consumed (repeated, non-UTF-8; a null value as an empty one, listed in
 * `lk.null-header-values`, as kafkajs cannot send null), so a record can be re-sent to the partition it came
 * from — plus the error and the original position in `lk.*` headers. A letter too large for the DLQ topic is
 * cut to fit (see `fitLetter`) instead of failing the batch forever. `send` resolves only once the broker
 * has the letters (acks=all), so a caller may then commit past them; when the DLQ cannot be written it
 * throws a `DeadLetterQueueUnavailableError`, on which `KafkaConsumer` pauses the partition and retries.
 */
export class DeadLetterQueue {
  /** the DLQ topic of a source topic */
  readonly topicFor: (sourceTopic: string) => string;
  private readonly limits = new Map<string, number>();

  constructor(
    private readonly producer: KafkaProducer,
    private readonly options: DeadLetterQueueOptions = {},
  ) {
    this.topicFor = options.topicFor ?? deadLetterTopic;
  }

  async send(deadLetters: DeadLetter[]): Promise<void> {
    const byTopic = new Map<string, DeadLetter[]>();
    for (const deadLetter of deadLetters) {
      const topic = this.topicFor(deadLetter.record.topic);
      const letters = byTopic.get(topic);
      if (letters) letters.push(deadLetter);
      else byTopic.set(topic, [deadLetter]);
    }
    for (const [topic, letters] of byTopic) {
      let limit: number;
      try {
        limit = await this.limitFor(topic);
      } catch (error) {
        throw new DeadLetterQueueUnavailableError(topic, error);
      }
      const records = letters.map((letter) => fitLetter(toLetter(letter), limit));
      for (const chunk of chunkLetters(records, limit)) {
        try {
          await this.producer.send(topic, chunk);
        } catch (error) {
          // the topic's limit may have been changed: learn it again on the retry
          this.limits.delete(topic);
          throw new DeadLetterQueueUnavailableError(topic, error);
        }
      }
    }
  }

  private async limitFor(topic: string): Promise<number> {
    const known = this.limits.get(topic);
    if (known !== undefined) return known;
    const configured = this.options.maxMessageBytes;
    let limit = configured ?? kafkaDefaultMaxMessageBytes;
    if (this.options.admin) {
      const topicLimit = await this.options.admin.maxMessageBytes(topic);
      // not cached: the topic may be created while the partition waits
      if (topicLimit === undefined) throw new Error(`topic ${topic} does not exist`);
      limit = Math.min(topicLimit, configured ?? topicLimit);
    }
    this.limits.set(topic, limit);
    return limit;
  }
}

function toLetter({ record, error }: DeadLetter): OutgoingRecord {
  const headers: OutgoingHeaders = Object.create(null) as OutgoingHeaders;
  const nullValues: Record<string, number[]> = {};
  for (const [name, values] of Object.entries(record.rawHeaders)) {
    headers[name] = values.map((value, index) => {
      if (value !== null) return value;
      (nullValues[name] ??= []).push(index);
      return Buffer.alloc(0);
    });
  }
  const ours: Record<string, string> = {
    [DeadLetterHeaders.errorClass]: error.name,
    [DeadLetterHeaders.errorMessage]: error.message,
    [DeadLetterHeaders.originalTopic]: record.topic,
    [DeadLetterHeaders.originalPartition]: String(record.partition),
    [DeadLetterHeaders.originalOffset]: record.offset.toString(),
    [DeadLetterHeaders.originalTimestamp]: String(record.timestamp),
  };
  if (Object.keys(nullValues).length > 0)
    ours[DeadLetterHeaders.nullHeaderValues] = JSON.stringify(nullValues);
  for (const [name, value] of Object.entries(ours)) {
    // a letter of a letter keeps the earlier lk.* values too; ours come last, so they win as `headers`
    const earlier = headers[name];
    headers[name] =
      earlier === undefined ? value : [...(Array.isArray(earlier) ? earlier : [earlier]), value];
  }
  return { key: record.key, value: record.value, headers };
}
