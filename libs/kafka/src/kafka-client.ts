import { Kafka, logLevel } from 'kafkajs';
import { Logger } from '@lk/common';
import { KafkaAdmin } from './kafka-admin';
import { KafkaConsumer } from './kafka-consumer';
import { KafkaProducer, type MessagePlacements } from './kafka-producer';
import { kafkajsLogCreator } from './kafkajs-log-bridge';
import { originalCause } from './original-cause';
import { wantedPartitionsAssigner } from './wanted-partitions-assigner';
import { createJavaCompatiblePartitioner } from './partitioner';
import {
  defaultConsumerSettings,
  type ConsumerSettings,
  type ProducerSettings,
  type RetrySettings,
} from './settings';

export interface KafkaClientOptions {
  brokers: string[];
  clientId: string;
  logger?: Logger;
  /** defaults for every consumer of this client (each `consumer()` call may override them again) */
  consumer?: ConsumerSettings;
  /** defaults for every producer of this client */
  producer?: ProducerSettings;
  /** how long one connection attempt to a broker may take, ms (kafkajs default 1000) */
  connectionTimeout?: number;
  /**
   * Retries of the client's own requests (connect, metadata, admin calls; consumers and producers start from
   * it too). kafkajs default: 5 retries from 300 ms, i.e. seconds before a dead broker is reported. A probe
   * that must answer quickly with the real cause (ECONNREFUSED) sets `{ retries: 0 }`.
   */
  retry?: RetrySettings;
  /** what kafkajs itself logs (its lines then get our levels, see kafkajs-log-bridge.ts); default warn */
  kafkajsLogLevel?: 'error' | 'warn' | 'info' | 'debug';
}

const kafkajsLevels = {
  error: logLevel.ERROR,
  warn: logLevel.WARN,
  info: logLevel.INFO,
  debug: logLevel.DEBUG,
} as const;

/** Entry point to Kafka; the only place that constructs kafkajs objects. */
export class KafkaClient {
  private readonly kafka: Kafka;
  private readonly logger: Logger;

  constructor(private readonly options: KafkaClientOptions) {
    this.logger = options.logger ?? new Logger('kafka');
    this.kafka = new Kafka({
      clientId: options.clientId,
      brokers: options.brokers,
      connectionTimeout: options.connectionTimeout,
      retry: options.retry,
      logLevel: kafkajsLevels[options.kafkajsLogLevel ?? 'warn'],
      logCreator: kafkajsLogCreator(this.logger),
    });
  }

  producer(options: { transactionalId?: string } & ProducerSettings = {}): KafkaProducer {
    const { transactionalId, ...overrides } = options;
    const settings: ProducerSettings = { ...this.options.producer, ...overrides };
    const placements: MessagePlacements = new WeakMap();
    return new KafkaProducer(
      this.kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        transactionalId,
        allowAutoTopicCreation: settings.allowAutoTopicCreation,
        retry: settings.retry,
        // the Java client's murmur2 placement, so keys land where any other Kafka client would put them.
        // Each message's partition is noted, for the producer to check that every one was acknowledged,
        // and kept when kafkajs places the message again on a retry: a keyless one would otherwise move
        // to the next partition of the round robin, and be written to both.
        createPartitioner: () => {
          const place = createJavaCompatiblePartitioner();
          return (input) => {
            let partition = placements.get(input.message);
            if (partition === undefined) placements.set(input.message, (partition = place(input)));
            return partition;
          };
        },
      }),
      placements,
    );
  }

  consumer(groupId: string, overrides: ConsumerSettings = {}): KafkaConsumer {
    const settings = { ...defaultConsumerSettings, ...this.options.consumer, ...overrides };
    const isFatal = settings.isFatal;
    return new KafkaConsumer(
      this.kafka.consumer({
        groupId,
        sessionTimeout: settings.sessionTimeout,
        heartbeatInterval: settings.heartbeatInterval,
        rebalanceTimeout: settings.rebalanceTimeout,
        maxWaitTimeInMs: settings.maxWaitTimeInMs,
        minBytes: settings.minBytes,
        maxBytes: settings.maxBytes,
        maxBytesPerPartition: settings.maxBytesPerPartition,
        allowAutoTopicCreation: false,
        ...(settings.wantedPartitions && {
          partitionAssigners: [wantedPartitionsAssigner(settings.wantedPartitions)],
        }),
        retry: {
          ...settings.retry,
          // kafkajs asks only about retriable errors (it never restarts after a non-retriable one)
          restartOnFailure: async (error) => !(isFatal?.(originalCause(error)) ?? false),
        },
      }),
      groupId,
      { logger: this.logger, pauseBackoff: settings.pauseBackoff },
    );
  }

  admin(): KafkaAdmin {
    return new KafkaAdmin(this.kafka.admin(), (groupId) =>
      this.kafka.consumer({ groupId, maxWaitTimeInMs: 100, allowAutoTopicCreation: false }),
    );
  }
}
