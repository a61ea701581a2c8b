import type {
  Batch,
  Consumer,
  ConsumerCrashEvent,
  ConsumerGroupJoinEvent,
  EachBatchPayload,
  IHeaders,
} from 'kafkajs';
import type { Logger } from '@lk/common';
import { ConsumerEventEmitter } from './consumer-event-emitter';
import type { ConsumerEventListener, ConsumerEventType } from './consumer-events';
import { ConsumerCrashedError } from './errors/consumer-crashed-error';
import { RetryBatchLaterError } from './errors/retry-batch-later-error';
import { originalCause } from './original-cause';
import { PartitionBackoff } from './partition-backoff';
import { defaultConsumerSettings } from './settings';
import type {
  ConsumedBatch,
  ConsumedRecord,
  Headers,
  RawHeaders,
  TopicPartition,
  TopicPartitionOffset,
} from './types';

export interface ConsumeOptions {
  topics: string[];
  /** where a group with no committed offset starts; versioned groups start from the earliest */
  fromBeginning: boolean;
  /**
   * Called once per fetched batch of one partition. Offsets are committed only after it resolves, so a
   * crash re-delivers the batch rather than skipping it. Throw a `RetryBatchLaterError` to pause the
   * partition and get the batch again after a backoff; any other error goes to kafkajs (retried, then the
   * consumer restarts or, for a non-retriable error, crashes — see `waitForStop`).
   */
  eachBatch: (batch: ConsumedBatch) => Promise<void>;
  /** called after a batch's offsets were committed */
  onCommitted?: (batch: ConsumedBatch) => void;
  /**
   * 'after-batch' (default): each handled batch is committed. 'manual': nothing is committed here; the
   * caller commits with `commit()` once its own store holds the results (offsets then serve lag tools).
   */
  commit?: 'after-batch' | 'manual';
}

export interface KafkaConsumerOptions {
  logger: Logger;
  pauseBackoff?: { initialMs?: number; maxMs?: number; errorAfterMs?: number };
}

/**
 * A kafkajs consumer with manual commits, lifecycle events and per-partition pause-and-retry. kafkajs's own
 * `run()` resolves once started and reports later crashes only as an instrumentation event; here they end
 * `waitForStop()` and are logged once, with the verdict (restart or not).
 */
export class KafkaConsumer {
  private readonly events: ConsumerEventEmitter;
  private readonly logger: Logger;
  private readonly backoff: PartitionBackoff;
  private readonly errorAfterMs: number;
  private readonly resumeTimers = new Map<string, NodeJS.Timeout>();
  private assignment: TopicPartition[] = [];
  private memberId = '';
  private generation = 0;
  /** after a stop or crash every partition of the next join is new to us */
  private fresh = true;
  private closing: Promise<void> | undefined;
  /** partitions the handler asked to seek while handling a batch: that batch must not resolve its offsets */
  private readonly sought = new Set<string>();
  private topics: string[] = [];
  private stoppedSettled = false;
  private readonly stopped: Promise<void>;
  private settleStopped!: (cause?: Error) => void;

  constructor(
    private readonly consumer: Consumer,
    readonly groupId: string,
    options: KafkaConsumerOptions,
  ) {
    this.logger = options.logger.child({ groupId });
    this.events = new ConsumerEventEmitter(this.logger);
    this.backoff = new PartitionBackoff(
      options.pauseBackoff?.initialMs ?? defaultConsumerSettings.pauseBackoff.initialMs,
      options.pauseBackoff?.maxMs ?? defaultConsumerSettings.pauseBackoff.maxMs,
    );
    this.errorAfterMs =
      options.pauseBackoff?.errorAfterMs ?? defaultConsumerSettings.pauseBackoff.errorAfterMs;
    this.stopped = new Promise<void>((resolve, reject) => {
      this.settleStopped = (cause) => {
        if (this.stoppedSettled) return;
        this.stoppedSettled = true;
        if (cause) reject(cause);
        else resolve();
      };
    });
    // nobody may be waiting; the rejection is still delivered to whoever calls waitForStop()
    this.stopped.catch(() => undefined);
    consumer.on(consumer.events.GROUP_JOIN, (event) => this.onGroupJoin(event));
    consumer.on(consumer.events.REBALANCING, (event) =>
      this.events.emit('rebalancing', { memberId: event.payload.memberId }),
    );
    consumer.on(consumer.events.STOP, () => this.onStop());
    consumer.on(consumer.events.CRASH, (event) => this.onCrash(event));
  }

  on<K extends ConsumerEventType>(type: K, listener: ConsumerEventListener<K>): () => void {
    return this.events.on(type, listener);
  }

  async connect(): Promise<void> {
    await this.consumer.connect();
  }

  /** Subscribes and starts consuming; resolves once started (later failures end `waitForStop()`). */
  async run(options: ConsumeOptions): Promise<void> {
    this.topics = options.topics;
    await this.consumer.subscribe({ topics: options.topics, fromBeginning: options.fromBeginning });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: (payload) => this.handleBatch(payload, options),
    });
  }

  /**
   * Resolves when the consumer was closed, rejects with a `ConsumerCrashedError` (its `cause` the original
   * error) when it crashed without restart — the caller's cue to exit.
   */
  waitForStop(): Promise<void> {
    return this.stopped;
  }

  /** Leaves the group and disconnects; safe to call more than once, and after a crash. */
  disconnect(): Promise<void> {
    this.closing ??= (async () => {
      this.clearResumeTimers();
      try {
        await this.consumer.disconnect();
      } finally {
        if (!this.stoppedSettled) {
          this.settleStopped();
          this.events.emit('stopped', {});
        }
      }
    })();
    return this.closing;
  }

  close(): Promise<void> {
    return this.disconnect();
  }

  /**
   * The next fetch of the partition starts at `offset`. Called from a batch handler, the batch being handled
   * is abandoned: its offsets are neither resolved nor committed.
   */
  seek(topic: string, partition: number, offset: bigint): void {
    this.sought.add(`${topic}|${partition}`);
    this.consumer.seek({ topic, partition, offset: offset.toString() });
  }

  /** Commits group offsets (the next offset to read per partition), e.g. in 'manual' commit mode. */
  async commit(offsets: TopicPartitionOffset[]): Promise<void> {
    if (offsets.length === 0) return;
    await this.consumer.commitOffsets(
      offsets.map(({ topic, partition, offset }) => ({ topic, partition, offset: offset.toString() })),
    );
  }

  /** Stops fetching every subscribed topic (the member stays in the group and keeps heartbeating). */
  pauseAll(): void {
    this.consumer.pause(this.topics.map((topic) => ({ topic })));
  }

  resumeAll(): void {
    this.consumer.resume(this.topics.map((topic) => ({ topic })));
  }

  private async handleBatch(payload: EachBatchPayload, options: ConsumeOptions): Promise<void> {
    const { batch } = payload;
    if (batch.messages.length === 0) return;
    const consumed = toConsumedBatch(batch);
    try {
      await options.eachBatch(consumed);
    } catch (error) {
      // nothing is resolved or committed for this batch in either case, so no offset moves past it
      if (error instanceof RetryBatchLaterError) return this.pauseAndRetry(consumed, error);
      throw error;
    }
    // a seek from the handler abandons this batch: resolving it would move the position past the seek
    if (this.sought.delete(`${batch.topic}|${batch.partition}`)) return;
    const last = batch.messages[batch.messages.length - 1]!;
    // resolving moves kafkajs's fetch position on, also when committing is left to the caller
    payload.resolveOffset(last.offset);
    if (options.commit !== 'manual') {
      await this.consumer.commitOffsets([
        { topic: batch.topic, partition: batch.partition, offset: (BigInt(last.offset) + 1n).toString() },
      ]);
    }
    this.backoff.succeeded(batch.topic, batch.partition);
    options.onCommitted?.(consumed);
    await payload.heartbeat();
  }

  private pauseAndRetry(batch: ConsumedBatch, error: RetryBatchLaterError): void {
    const { topic, partition } = batch;
    const fromOffset = batch.records[0]!.offset;
    const now = Date.now();
    const retryInMs = this.backoff.next(topic, partition, now);
    const failingForMs = this.backoff.failingForMs(topic, partition, now);
    const generation = this.generation;
    this.consumer.pause([{ topic, partitions: [partition] }]);
    // a retry that then succeeds (a broker restart, a leader moving) is not an error; one that keeps failing
    // for errorAfterMs needs a human
    const level = failingForMs >= this.errorAfterMs ? 'error' : 'warn';
    this.logger[level]('partition paused, batch will be retried', {
      topic,
      partition,
      fromOffset: fromOffset.toString(),
      retryInMs,
      failingForMs,
      error,
    });
    const key = `${topic}|${partition}`;
    clearTimeout(this.resumeTimers.get(key));
    this.resumeTimers.set(
      key,
      setTimeout(() => this.resume(topic, partition, fromOffset, generation), retryInMs),
    );
    this.events.emit('partition-paused', { topic, partition, fromOffset, retryInMs, error });
  }

  private resume(topic: string, partition: number, fromOffset: bigint, generation: number): void {
    this.resumeTimers.delete(`${topic}|${partition}`);
    try {
      // Nothing past the batch was resolved, so the next fetch starts there anyway; the seek makes it
      // explicit. After a rebalance the committed offset is the truth (another member may have moved on),
      // so no seek then. The pause itself must be lifted in any case: kafkajs keeps a paused partition
      // paused across rebalances, so one that comes back later would never be fetched again.
      if (generation === this.generation && this.holds(topic, partition))
        this.consumer.seek({ topic, partition, offset: fromOffset.toString() });
      this.consumer.resume([{ topic, partitions: [partition] }]);
    } catch (error) {
      // the consumer stopped or is restarting: a restart begins unpaused from the committed offsets
      this.logger.debug('partition not resumed, the consumer is not running', { topic, partition, error });
      return;
    }
    this.events.emit('partition-resumed', { topic, partition });
  }

  private holds(topic: string, partition: number): boolean {
    return this.assignment.some((tp) => tp.topic === topic && tp.partition === partition);
  }

  private onGroupJoin(event: ConsumerGroupJoinEvent): void {
    const { memberId, memberAssignment } = event.payload;
    const partitions = Object.entries(memberAssignment).flatMap(([topic, list]) =>
      list.map((partition) => ({ topic, partition })),
    );
    const startOver = this.fresh || memberId !== this.memberId;
    const lost = startOver ? this.assignment : minus(this.assignment, partitions);
    const added = startOver ? partitions : minus(partitions, this.assignment);
    if (lost.length > 0) this.events.emit('revoked', { partitions: lost, reason: 'rebalance' });
    this.assignment = partitions;
    this.memberId = memberId;
    this.fresh = false;
    this.generation += 1;
    this.logger.debug('consumer joined the group', { memberId, generation: this.generation, partitions });
    this.events.emit('assigned', { generation: this.generation, memberId, partitions, added });
  }

  /** kafkajs stops the consumer on close and, before it decides whether to restart, on a crash */
  private onStop(): void {
    this.clearResumeTimers();
    const partitions = this.assignment;
    this.assignment = [];
    this.fresh = true;
    if (partitions.length > 0)
      this.events.emit('revoked', { partitions, reason: this.closing ? 'stop' : 'crash' });
  }

  private onCrash(event: ConsumerCrashEvent): void {
    const { error, restart } = event.payload;
    const cause = originalCause(error);
    if (restart) {
      this.logger.warn('consumer crashed, kafkajs restarts it', { cause });
      this.events.emit('crash', { cause, restart });
      return;
    }
    this.logger.error('consumer crashed and will not restart', { cause });
    this.events.emit('crash', { cause, restart });
    if (!this.stoppedSettled) {
      this.settleStopped(new ConsumerCrashedError(this.groupId, cause));
      this.events.emit('stopped', { cause });
    }
  }

  private clearResumeTimers(): void {
    for (const timer of this.resumeTimers.values()) clearTimeout(timer);
    this.resumeTimers.clear();
  }
}

function minus(from: TopicPartition[], remove: TopicPartition[]): TopicPartition[] {
  return from.filter((tp) => !remove.some((r) => r.topic === tp.topic && r.partition === tp.partition));
}

function toConsumedBatch(batch: Batch): ConsumedBatch {
  const records: ConsumedRecord[] = batch.messages.map((message) => {
    const rawHeaders = toRawHeaders(message.headers);
    return {
      topic: batch.topic,
      partition: batch.partition,
      offset: BigInt(message.offset),
      key: message.key,
      value: message.value,
      headers: toHeaders(rawHeaders),
      rawHeaders,
      timestamp: Number(message.timestamp),
    };
  });
  return {
    topic: batch.topic,
    partition: batch.partition,
    records,
    highWatermark: BigInt(batch.highWatermark),
  };
}

/**
 * kafkajs decodes headers into an object, repeated ones into an array of their values in order; null values
 * arrive as null (its types do not say so). A prototype-less object, so a header named `__proto__` is kept
 * as a header.
 */
function toRawHeaders(raw: IHeaders | undefined): RawHeaders {
  const headers: RawHeaders = Object.create(null) as RawHeaders;
  for (const [name, value] of Object.entries(raw ?? {})) {
    const values = (Array.isArray(value) ? value : [value]) as (Buffer | string | null | undefined)[];
    headers[name] = values.map((v) =>
      v === null || v === undefined ? null : Buffer.isBuffer(v) ? v : Buffer.from(v),
    );
  }
  return headers;
}

/** the last non-null value of each header, as UTF-8 */
function toHeaders(raw: RawHeaders): Headers {
  const headers: Headers = Object.create(null) as Headers;
  for (const [name, values] of Object.entries(raw)) {
    const last = values.filter((v) => v !== null).at(-1);
    if (last) headers[name] = last.toString();
  }
  return headers;
}
