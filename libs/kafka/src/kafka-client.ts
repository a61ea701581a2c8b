import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { Logger } from '@lk/common';
import { KafkaAdmin } from './kafka-admin';
import { KafkaConsumer } from './kafka-consumer';
import { KafkaProducer } from './kafka-producer';

export interface KafkaClientOptions {
  brokers: string[];
  clientId: string;
  logger?: Logger;
}

/** Entry point to Kafka; the only place that constructs kafkajs objects. */
export class KafkaClient {
  private readonly kafka: Kafka;

  constructor(options: KafkaClientOptions) {
    const logger = options.logger ?? new Logger('kafka');
    this.kafka = new Kafka({
      clientId: options.clientId,
      brokers: options.brokers,
      logLevel: logLevel.WARN,
      logCreator:
        () =>
        ({ level, log }) => {
          const { message, ...fields } = log;
          const event = `kafkajs: ${message}`;
          if (level <= logLevel.ERROR) logger.error(event, fields);
          else logger.warn(event, fields);
        },
    });
  }

  producer(options: { transactionalId?: string } = {}): KafkaProducer {
    return new KafkaProducer(
      this.kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        transactionalId: options.transactionalId,
        // the Java client's murmur2 partitioner, so keys land where any other Kafka client would put them
        createPartitioner: Partitioners.DefaultPartitioner,
      }),
    );
  }

  consumer(groupId: string): KafkaConsumer {
    return new KafkaConsumer(
      this.kafka.consumer({
        groupId,
        sessionTimeout: 30_000,
        heartbeatInterval: 3_000,
        allowAutoTopicCreation: false,
        // an idle partition must not hold back fresh records for long (produce→visible latency)
        maxWaitTimeInMs: 250,
      }),
      groupId,
    );
  }

  admin(): KafkaAdmin {
    return new KafkaAdmin(this.kafka.admin(), (groupId) =>
      this.kafka.consumer({ groupId, maxWaitTimeInMs: 100, allowAutoTopicCreation: false }),
    );
  }
}
