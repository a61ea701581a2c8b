import type { Logger } from '@lk/common';
import type { ConsumerSettings, KafkaClient, KafkaConsumer } from '@lk/kafka';
import type { JobSource, JobSourceHandlers } from './job-source';

/** JobSource over @lk/kafka: one consumer in the job's versioned group, committing only what Postgres holds. */
export class KafkaJobSource implements JobSource {
  private consumer: KafkaConsumer | undefined;

  constructor(
    private readonly kafka: KafkaClient,
    private readonly groupId: string,
    private readonly topic: string,
    private readonly logger: Logger,
    private readonly settings: ConsumerSettings = {},
  ) {}

  async start(handlers: JobSourceHandlers): Promise<void> {
    const consumer = this.kafka.consumer(this.groupId, this.settings);
    this.consumer = consumer;
    const partitionsOf = (list: { topic: string; partition: number }[]): number[] =>
      list.filter((tp) => tp.topic === this.topic).map((tp) => tp.partition);
    consumer.on('assigned', (event) => {
      this.logger.info('partitions assigned', {
        group: this.groupId,
        generation: event.generation,
        partitions: partitionsOf(event.partitions),
      });
      handlers.onAssigned(partitionsOf(event.added));
    });
    consumer.on('revoked', (event) => handlers.onRevoked(partitionsOf(event.partitions)));
    await consumer.connect();
    // a new version's group has no committed offsets: it starts from the earliest retained record
    await consumer.run({
      topics: [this.topic],
      fromBeginning: true,
      commit: 'manual',
      eachBatch: (batch) => handlers.onBatch(batch),
    });
    consumer.waitForStop().then(
      () => undefined,
      (cause: unknown) => handlers.onStopped(cause as Error),
    );
  }

  seek(partition: number, offset: number): void {
    this.consumer?.seek(this.topic, partition, BigInt(offset));
  }

  async commit(offsets: ReadonlyMap<number, number>): Promise<void> {
    await this.consumer?.commit(
      [...offsets].map(([partition, offset]) => ({ topic: this.topic, partition, offset: BigInt(offset) })),
    );
  }

  pauseAll(): void {
    this.consumer?.pauseAll();
  }

  resumeAll(): void {
    this.consumer?.resumeAll();
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}
