import type { ConsumedBatch } from '@lk/kafka';

/** What the streaming job needs from its Kafka consumer; an adapter over @lk/kafka's KafkaConsumer. */
export interface JobSource {
  /** Joins the group and delivers batches until stopped. */
  start(handlers: JobSourceHandlers): Promise<void>;
  /** The next fetch of `partition` starts at `offset` (the batch being handled is discarded). */
  seek(partition: number, offset: number): void;
  /** Commits group offsets (for lag tools only: the job resumes from Postgres). */
  commit(offsets: ReadonlyMap<number, number>): Promise<void>;
  pauseAll(): void;
  resumeAll(): void;
  /** Leaves the group; idempotent. */
  stop(): Promise<void>;
}

export interface JobSourceHandlers {
  onBatch(batch: ConsumedBatch): Promise<void>;
  /** partitions this member holds now that another member may have processed since it last did */
  onAssigned(partitions: number[]): void;
  onRevoked(partitions: number[]): void;
  /** the consumer stopped for good (a fatal crash): the job cannot continue */
  onStopped(cause: Error | undefined): void;
}
