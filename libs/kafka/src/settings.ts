/** kafkajs's retry settings (per operation: exponential backoff between attempts). */
export interface RetrySettings {
  retries?: number;
  initialRetryTime?: number;
  maxRetryTime?: number;
}

/** Consumer settings a caller may override; unset ones keep the defaults in `defaultConsumerSettings`. */
export interface ConsumerSettings {
  sessionTimeout?: number;
  heartbeatInterval?: number;
  rebalanceTimeout?: number;
  /** how long the broker may hold a fetch when no data is there */
  maxWaitTimeInMs?: number;
  minBytes?: number;
  maxBytes?: number;
  maxBytesPerPartition?: number;
  retry?: RetrySettings;
  /**
   * Causes after which the consumer must not restart although kafkajs would (it restarts after any
   * retriable error). A fatal crash ends `KafkaConsumer.waitForStop()` with a `ConsumerCrashedError`.
   */
  isFatal?: (cause: Error) => boolean;
  /**
   * This member reads exactly these partitions, whatever the other members do: every member of the group
   * must say which it wants (kafkajs has no manual assignment). For replay jobs sharing their run's group.
   */
  wantedPartitions?: { topic: string; partitions: number[] };
  /**
   * backoff of a partition paused by a `RetryBatchLaterError`: doubles per failed retry, up to maxMs; logged
   * as a warning until the partition has been failing for errorAfterMs, as an error after that
   */
  pauseBackoff?: { initialMs?: number; maxMs?: number; errorAfterMs?: number };
}

export interface ProducerSettings {
  /** false keeps a send to a missing topic from creating it (where the broker would) */
  allowAutoTopicCreation?: boolean;
  retry?: RetrySettings;
}

export const defaultConsumerSettings = {
  sessionTimeout: 30_000,
  heartbeatInterval: 3_000,
  // an idle partition must not hold back fresh records for long (produce→visible latency); kafkajs: 5000
  maxWaitTimeInMs: 250,
  pauseBackoff: { initialMs: 1_000, maxMs: 30_000, errorAfterMs: 60_000 },
} as const satisfies ConsumerSettings;
