import type { KafkaProducer } from '../kafka-producer';
import type { ConsumedRecord } from '../types';
import { DeadLetterHeaders } from './dead-letter-headers';

export interface DeadLetter {
  record: ConsumedRecord;
  error: Error;
}

/**
 * Sends records that can never be processed to `<topic>.dlq`, unchanged (key and value bytes), with the
 * error and the original position in headers. `send` resolves only once the broker has the records
 * (acks=all), so a caller may then commit past them.
 */
export class DeadLetterQueue {
  constructor(
    private readonly producer: KafkaProducer,
    private readonly topicFor: (sourceTopic: string) => string = (sourceTopic) => `${sourceTopic}.dlq`,
  ) {}

  async send(deadLetters: DeadLetter[]): Promise<void> {
    const byTopic = new Map<string, DeadLetter[]>();
    for (const deadLetter of deadLetters) {
      const topic = this.topicFor(deadLetter.record.topic);
      const letters = byTopic.get(topic);
      if (letters) letters.push(deadLetter);
      else byTopic.set(topic, [deadLetter]);
    }
    for (const [topic, letters] of byTopic) {
      await this.producer.send(
        topic,
        letters.map(({ record, error }) => ({
          key: record.key?.toString() ?? null,
          value: record.value,
          headers: {
            ...record.headers,
            [DeadLetterHeaders.errorClass]: error.name,
            [DeadLetterHeaders.errorMessage]: error.message,
            [DeadLetterHeaders.originalTopic]: record.topic,
            [DeadLetterHeaders.originalPartition]: String(record.partition),
            [DeadLetterHeaders.originalOffset]: record.offset.toString(),
            [DeadLetterHeaders.originalTimestamp]: String(record.timestamp),
          },
        })),
      );
    }
  }
}
