import type { Logger } from '@lk/common';
import type { ConsumerSettings, KafkaClient, KafkaConsumer } from '@lk/kafka';
import type { JobSource, JobSourceHandlers } from '@lk/streaming';

/** JobSource over @lk/kafka: one consumer in the job's versioned group, committing only what Postgres holds. */
export class KafkaJobSource implements JobSource {
  private consumer: KafkaConsumer | undefined;
  private stopping = false;
  /** consecutive consumers that crashed for good: the next one starts after a longer pause */
  private crashes = 0;
  private restartTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly kafka: KafkaClient,
    private readonly groupId: string,
    private readonly topic: string,
    private readonly logger: Logger,
    private readonly settings: ConsumerSettings = {},
  ) {}

  async start(handlers: JobSourceHandlers): Promise<void> {
    await this.startConsumer(handlers);
  }

  private async startConsumer(handlers: JobSourceHandlers): Promise<void> {
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
      this.crashes = 0;
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
      (cause: unknown) => this.restartAfterCrash(handlers, cause as Error),
    );
  }

  /**
   * kafkajs gives up on a consumer after a non-retriable error or exhausted retries (a broker away for long,
   * a coordinator that kept loading). The job's state lives in Postgres, so a new consumer in the same group
   * resumes exactly; only one that cannot even start is the end of the job.
   */
  private restartAfterCrash(handlers: JobSourceHandlers, cause: Error): void {
    if (this.stopping) return;
    this.crashes += 1;
    const delayMs = Math.min(1_000 * 2 ** (this.crashes - 1), 30_000);
    this.logger.warn('consumer stopped; starting a new one', { group: this.groupId, delayMs, cause });
    void this.consumer?.disconnect().catch(() => undefined);
    this.restartTimer = setTimeout(() => {
      if (this.stopping) return;
      this.startConsumer(handlers).catch((error: unknown) => {
        if (this.crashes >= 10) handlers.onStopped(error as Error);
        else this.restartAfterCrash(handlers, error as Error);
      });
    }, delayMs);
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
    this.stopping = true;
    clearTimeout(this.restartTimer);
    await this.consumer?.disconnect();
  }
}
