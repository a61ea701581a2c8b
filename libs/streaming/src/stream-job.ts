import type { Logger } from '@lk/common';
import type { ConsumedBatch, ConsumedRecord, DeadLetterQueue } from '@lk/kafka';
import { KeyedWindowOperator, type Pipeline } from '@lk/operators';
import type { StreamFlush, StreamJobStore } from '@lk/store';
import type { JobMetrics } from './job-metrics';
import { buildFlush, flushTargetOf, type FlushTarget, type PartitionDrain } from './flush-builder';
import { operatorBatchHandler } from './operator-batch-handler';
import type { JobSource } from './job-source';
import { restoredSnapshot } from './partition-restore';

/** how long flushes may keep failing (a broker or Postgres restart) before it is logged as an error */
const FLUSH_FAILURE_ERROR_AFTER_MS = 60_000;

export interface StreamJobOptions<E extends object> {
  readonly jobId: string;
  readonly groupId: string;
  readonly pipeline: Pipeline;
  readonly source: JobSource;
  readonly store: StreamJobStore;
  /** decodes a record's value; throws a poison error (see isPoison) for records that can never be read */
  readonly decode: (record: ConsumedRecord) => Promise<E>;
  /** errors that are properties of the record (decoding, or the operator refusing the event): DLQ */
  readonly isPoison: (error: unknown) => boolean;
  readonly deadLetters: DeadLetterQueue;
  /** runs inside the flush transaction, after the epoch check, before the commit */
  readonly publish: (flush: StreamFlush) => Promise<void>;
  readonly metrics: JobMetrics;
  readonly logger: Logger;
  readonly flushIntervalMs: number;
  readonly flushMaxEvents: number;
  /** the flush interval while the consumer lag is above `catchUpLag` (a replay, a backlog) */
  readonly catchUpFlushIntervalMs?: number;
  readonly catchUpLag?: number;
  /** wall clock in ms; only schedules flushes, never decides a result */
  readonly now?: () => number;
}

interface OwnedPartition {
  /** the owner epoch of our claim; a flush under another epoch is fenced */
  readonly epoch: number;
  /** the next offset Postgres holds for the partition */
  flushedOffset: number;
  /** where we last asked the consumer to resume; a batch starting beyond it is accepted (a gap in the log) */
  seekedTo?: number;
}

/**
 * One pipeline version as a streaming job: Kafka → decode → operators (stream mode) → one Postgres
 * transaction per flush. Postgres is the truth: a partition is resumed from the offset, watermark and open
 * windows stored there whenever this member (re)gains it, and Kafka commits follow for lag tools only.
 */
export class StreamJob<E extends object> {
  readonly operator: KeyedWindowOperator<E>;
  private readonly owned = new Map<number, OwnedPartition>();
  private readonly target: FlushTarget;
  /** the batch handler: decode with DLQ and safety valve, then apply; built once */
  private readonly decodeBatch: (batch: ConsumedBatch) => Promise<void>;
  private readonly now: () => number;
  private pendingEvents = 0;
  /** records behind the log end per owned partition, as of its latest batch */
  private readonly lag = new Map<number, number>();
  private flushTimer: NodeJS.Timeout | undefined;
  /** when the scheduled flush fires (wall clock ms) */
  private flushDueAt = 0;
  private flushing: Promise<void> = Promise.resolve();
  /** the Kafka offset commits after flushes, chained */
  private committing: Promise<void> = Promise.resolve();
  /** flushes queued or writing: a size-triggered flush waits for them (backpressure) */
  private flushesInFlight = 0;
  private recovering = false;
  /** consecutive failed flushes: the probe backs off further each time */
  private failedFlushes = 0;
  /** when the current run of failed flushes began (undefined: the last flush committed) */
  private failingSince: number | undefined;
  private failureReported = false;
  private stopped = false;
  private lastError: Error | undefined;
  private onFatal: ((error: Error) => void) | undefined;

  constructor(private readonly options: StreamJobOptions<E>) {
    this.operator = new KeyedWindowOperator<E>(options.pipeline, { mode: 'stream', emitAccumulators: true });
    this.target = flushTargetOf(options.jobId, options.pipeline);
    this.now = options.now ?? Date.now;
    this.decodeBatch = this.batchDecoder();
  }

  get topic(): string {
    return this.options.pipeline.source;
  }

  /** Starts consuming; `onFatal` is called when the job cannot continue (the process should exit). */
  async start(onFatal: (error: Error) => void): Promise<void> {
    this.onFatal = onFatal;
    await this.options.source.start({
      onBatch: (batch) => this.handleBatch(batch),
      onAssigned: (partitions) => this.forget(partitions, 'assigned'),
      onRevoked: (partitions) => void this.revoke(partitions),
      onStopped: (cause) => {
        if (!this.stopped) this.fail(cause ?? new Error('the consumer stopped'));
      },
    });
    this.options.logger.info('job started', { job: this.options.jobId, group: this.options.groupId });
  }

  /** Finishes the in-flight flush, flushes what is pending, commits and leaves the group. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.flushTimer);
    await this.flush('stop').catch((error: unknown) =>
      this.options.logger.warn('final flush failed; the next run resumes from the last one', { error }),
    );
    await this.committing;
    await this.options.source.stop();
    this.options.logger.info('job stopped', { job: this.options.jobId });
  }

  private async handleBatch(batch: ConsumedBatch): Promise<void> {
    if (this.stopped || batch.records.length === 0) return;
    const { partition } = batch;
    let owned = this.owned.get(partition);
    if (owned === undefined) owned = await this.claim(partition);
    const nextOffset = this.operator.nextOffset(partition) ?? owned.flushedOffset;
    const firstOffset = Number(batch.records[0]!.offset);
    if (firstOffset > nextOffset && owned.seekedTo !== nextOffset) {
      // the consumer is ahead of what Postgres holds (a fenced or failed flush): read again from there
      owned.seekedTo = nextOffset;
      this.options.source.seek(partition, nextOffset);
      return;
    }
    try {
      await this.apply(batch, nextOffset);
    } catch (error) {
      // the batch may be half applied: drop the partition's state so it is resumed from Postgres
      this.forget([partition], 'batch failed');
      throw error;
    }
    const consumedTo = this.operator.nextOffset(partition) ?? nextOffset;
    this.lag.set(partition, Math.max(0, Number(batch.highWatermark) - consumedTo));
    this.options.metrics.position(
      this.target.pipeline,
      this.options.groupId,
      batch.topic,
      partition,
      Number(batch.highWatermark),
      consumedTo,
    );
    // a failed flush is handled by recoverFromFailedFlush (state dropped, consumption paused and probed);
    // rethrowing it here would make kafkajs crash the consumer over what is not this batch's fault
    if (this.pendingEvents >= this.options.flushMaxEvents) {
      // the drain is synchronous (one consistent cut); while its rows are written the next batches are
      // applied — consuming only waits when a flush is still writing (at most one in flight), else the job
      // sits idle for every Postgres/Kafka round trip (about 40 % of the time at saturation, per profile)
      if (this.flushesInFlight > 0) await this.flushing;
      void this.flush('size').catch(() => undefined);
    } else this.scheduleFlush();
  }

  private async apply(batch: ConsumedBatch, nextOffset: number): Promise<void> {
    const fresh = batch.records.filter((record) => Number(record.offset) >= nextOffset);
    if (fresh.length === 0) return;
    await this.decodeBatch({ ...batch, records: fresh });
  }

  /** Records to the operator, poison to the DLQ (see operatorBatchHandler); counts what is pending. */
  private batchDecoder(): (batch: ConsumedBatch) => Promise<void> {
    const { options, target } = this;
    return operatorBatchHandler(this.operator, {
      decode: options.decode,
      isPoison: options.isPoison,
      deadLetters: options.deadLetters,
      // Dead-lettered records — undecodable ones and events the operator refused — are consumed too: they
      // count towards the next flush, which records the progress past them. (Counting only the operator's
      // refusals left a partition whose newest records were undecodable without a flush: its lag never
      // reached 0, and a restart dead-lettered them again.)
      onDeadLettered: (count) => {
        this.pendingEvents += count;
        options.metrics.deadLettered(target.pipeline, count);
      },
      onApplied: (applied) => {
        this.pendingEvents += applied;
        options.metrics.eventsIn(target.pipeline, applied);
      },
    });
  }

  private async claim(partition: number): Promise<OwnedPartition> {
    const { options, operator, target } = this;
    const claimed = await options.store.claimPartition(
      target.jobId,
      target.pipeline,
      target.topic,
      partition,
      target.stateRetention,
    );
    operator.releasePartition(partition);
    if (claimed.nextOffset > 0 || claimed.openWindows.length > 0 || claimed.maxEventTime !== null) {
      operator.restorePartition(
        restoredSnapshot(operator.snapshotPartition(partition), claimed, target.sessions),
      );
    }
    const owned: OwnedPartition = { epoch: claimed.epoch, flushedOffset: claimed.nextOffset };
    this.owned.set(partition, owned);
    options.logger.info('partition resumed', {
      job: target.jobId,
      partition,
      epoch: claimed.epoch,
      nextOffset: claimed.nextOffset,
      openWindows: claimed.openWindows.length,
    });
    return owned;
  }

  /** Drops in-memory state of partitions, so their next batch resumes them from Postgres. */
  private forget(partitions: number[], reason: string): void {
    const dropped = partitions.filter(
      (partition) => this.owned.has(partition) || this.operator.nextOffset(partition) !== undefined,
    );
    for (const partition of partitions) {
      this.owned.delete(partition);
      this.lag.delete(partition);
      this.operator.releasePartition(partition);
      this.options.metrics.forgetPartition(
        this.target.pipeline,
        this.options.groupId,
        this.target.topic,
        partition,
      );
    }
    if (dropped.length > 0)
      this.options.logger.info('partitions released', {
        job: this.target.jobId,
        partitions: dropped,
        reason,
      });
  }

  private async revoke(partitions: number[]): Promise<void> {
    // flush what they hold so the next owner reprocesses less; a fenced flush writes nothing of them
    await this.flush('revoked').catch(() => undefined);
    this.forget(partitions, 'revoked');
  }

  /**
   * Caught up, a flush follows the first unflushed event within the flush interval (produce → visible
   * latency). Catching up, within the longer catch-up interval: a flush costs about one row per window
   * changed since the last one, so with results far behind anyway, fewer flushes coalesce more events per
   * row. Falling back within reach of the log end brings a later flush forward.
   */
  private scheduleFlush(): void {
    if (this.pendingEvents === 0 || this.stopped) return;
    const dueAt = this.now() + this.flushDelay();
    if (this.flushTimer !== undefined) {
      if (this.flushDueAt <= dueAt) return;
      clearTimeout(this.flushTimer);
    }
    this.flushDueAt = dueAt;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      void this.flush('interval').catch(() => undefined);
    }, dueAt - this.now());
  }

  private flushDelay(): number {
    const { flushIntervalMs, catchUpFlushIntervalMs, catchUpLag } = this.options;
    if (catchUpFlushIntervalMs === undefined || catchUpLag === undefined) return flushIntervalMs;
    let behind = 0;
    for (const records of this.lag.values()) behind += records;
    return behind > catchUpLag ? Math.max(flushIntervalMs, catchUpFlushIntervalMs) : flushIntervalMs;
  }

  /** Flushes are serialized: each waits for the previous one, then drains and writes. */
  private flush(reason: string): Promise<void> {
    this.flushesInFlight += 1;
    const run = this.flushing.then(() => this.writeFlush(reason)).finally(() => (this.flushesInFlight -= 1));
    this.flushing = run.catch(() => undefined);
    return run;
  }

  private async writeFlush(reason: string): Promise<void> {
    const { options, operator, target } = this;
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    const drains: PartitionDrain<E>[] = [];
    for (const [partition, owned] of this.owned) {
      const nextOffset = operator.nextOffset(partition) ?? owned.flushedOffset;
      if (!operator.hasPendingOutput(partition) && nextOffset === owned.flushedOffset) continue;
      const watermark = operator.watermark(partition);
      drains.push({
        operator,
        progress: {
          partition,
          epoch: owned.epoch,
          nextOffset,
          watermark: Number.isFinite(watermark) ? watermark : null,
          maxEventTime: Number.isFinite(watermark)
            ? watermark + options.pipeline.watermark.maxOutOfOrderness
            : null,
        },
      });
    }
    const events = this.pendingEvents;
    this.pendingEvents = 0;
    if (drains.length === 0) return;
    const flush = buildFlush(target, drains);
    const started = this.now();
    let outcome;
    try {
      outcome = await options.store.flush(flush, options.publish);
    } catch (error) {
      this.recoverFromFailedFlush(error as Error);
      throw error;
    }
    const seconds = (this.now() - started) / 1000;
    const rows = flush.changes.length + flush.retractions.length + flush.late.length;
    options.metrics.flushed(target.pipeline, seconds, rows);
    options.metrics.resultsOut(target.pipeline, flush.changes.length);
    options.metrics.lateEvents(target.pipeline, flush.late.length);
    const stats = operator.stats();
    options.metrics.state(target.pipeline, stats.openWindows, stats.keys);
    for (const drain of drains)
      options.metrics.watermark(target.pipeline, drain.progress.partition, drain.progress.watermark);
    const committed = new Map<number, number>();
    for (const progress of flush.partitions) {
      if (!outcome.written.includes(progress.partition)) continue;
      const owned = this.owned.get(progress.partition);
      if (owned && owned.epoch === progress.epoch) owned.flushedOffset = progress.nextOffset;
      committed.set(progress.partition, progress.nextOffset);
    }
    if (outcome.fenced.length > 0) {
      options.logger.warn('partitions fenced: another member owns them now', {
        job: target.jobId,
        partitions: outcome.fenced,
      });
      this.forget(outcome.fenced, 'fenced');
    }
    if (this.lastError !== undefined) {
      options.logger.info('flushing again after a failure', { job: target.jobId });
      this.lastError = undefined;
    }
    this.failedFlushes = 0;
    this.failingSince = undefined;
    this.failureReported = false;
    options.logger.debug('flushed', {
      job: target.jobId,
      reason,
      events,
      rows,
      ms: Math.round(seconds * 1000),
    });
    // lag tools only, so the next flush does not wait for it; commits stay in order, one at a time
    this.committing = this.committing.then(() =>
      options.source
        .commit(committed)
        .catch((error: unknown) => options.logger.debug('offset commit skipped (lag tools only)', { error })),
    );
  }

  /**
   * A flush that did not commit leaves Postgres where the previous one did, and the drained output is gone
   * from memory: drop every partition's state (they resume from Postgres), pause consumption and probe
   * until the store answers again.
   */
  private recoverFromFailedFlush(error: Error): void {
    const { options } = this;
    if (this.lastError === undefined)
      options.logger.warn('flush failed; consumption paused, resuming from Postgres after a backoff', {
        job: this.target.jobId,
        error,
      });
    this.lastError = error;
    this.failedFlushes += 1;
    this.failingSince ??= this.now();
    // a broker or Postgres restart fails flushes for seconds and then passes (warned above); a job that has
    // made no progress for a minute needs a human
    if (!this.failureReported && this.now() - this.failingSince >= FLUSH_FAILURE_ERROR_AFTER_MS) {
      this.failureReported = true;
      options.logger.error('flushes keep failing; the job makes no progress', {
        job: this.target.jobId,
        failedFlushes: this.failedFlushes,
        failingForMs: this.now() - this.failingSince,
        error,
      });
    }
    this.forget([...this.owned.keys()], 'flush failed');
    this.pendingEvents = 0;
    if (this.recovering || this.stopped) return;
    this.recovering = true;
    options.source.pauseAll();
    // a store that answers but a flush that still fails (Kafka refusing the results) must not spin
    let delay = Math.min(500 * 2 ** (this.failedFlushes - 1), 30_000);
    const probe = (): void => {
      if (this.stopped) return;
      options.store
        .ping()
        .then(() => {
          this.recovering = false;
          options.source.resumeAll();
          options.logger.info('Postgres answers again; consumption resumed', { job: this.target.jobId });
        })
        .catch(() => {
          delay = Math.min(delay * 2, 30_000);
          setTimeout(probe, delay);
        });
    };
    setTimeout(probe, delay);
  }

  private fail(error: Error): void {
    this.options.logger.error('job cannot continue', { job: this.options.jobId, error });
    this.onFatal?.(error);
  }
}
