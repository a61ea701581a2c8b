import type { RetryBatchLaterError } from './errors/retry-batch-later-error';
import type { TopicPartition } from './types';

/**
 * What a `KafkaConsumer` reports about its life, in our own terms (kafkajs's instrumentation events, plus the
 * pauses of `RetryBatchLaterError`). kafkajs rebalances eagerly: every join is a new generation.
 */
export interface ConsumerEventMap {
  /**
   * The member joined the group (again). `partitions` is the whole assignment of this generation, `added`
   * those it did not hold in the previous one (all of them after a crash, a stop or a new member id, i.e.
   * whenever another member may have processed them in between) — the ones to restore state for.
   */
  assigned: { generation: number; memberId: string; partitions: TopicPartition[]; added: TopicPartition[] };
  /**
   * Partitions the member no longer holds: lost in a rebalance (reported when the new assignment arrives),
   * or all of them when the consumer stops or crashes. State kept for them must be flushed or dropped.
   */
  revoked: { partitions: TopicPartition[]; reason: 'rebalance' | 'stop' | 'crash' };
  /** the group is rebalancing; `assigned` (and maybe `revoked`) follow */
  rebalancing: { memberId: string };
  /** kafkajs crashed; with `restart` it rejoins after a backoff, without it the consumer has stopped */
  crash: { cause: Error; restart: boolean };
  /** a partition was paused by a `RetryBatchLaterError`; its batch is re-delivered after `retryInMs` */
  'partition-paused': TopicPartition & { fromOffset: bigint; retryInMs: number; error: RetryBatchLaterError };
  'partition-resumed': TopicPartition;
  /** the consumer will not deliver any more batches (closed, or crashed without restart) */
  stopped: { cause?: Error };
}

export type ConsumerEventType = keyof ConsumerEventMap;

export type ConsumerEventListener<K extends ConsumerEventType> = (event: ConsumerEventMap[K]) => void;
