import type { Logger } from '@lk/common';
import {
  readPartitionRange,
  type ConsumedRecord,
  type ConsumerSettings,
  type DeadLetterQueue,
  type KafkaClient,
} from '@lk/kafka';
import { KeyedWindowOperator, type OperatorMode, type Pipeline } from '@lk/operators';
import type { PoolClient, StreamFlush, StreamJobStore } from '@lk/store';
import { buildFlush, flushTargetOf, type FlushTarget } from './flush-builder';
import { operatorBatchHandler } from './operator-batch-handler';
import { restoredSnapshot } from './partition-restore';

/** Where a partition replay stands after a flush: for job progress, run progress and lag tools. */
export interface ReplayProgress {
  readonly partition: number;
  readonly nextOffset: number;
  readonly endOffset: number;
  /** records consumed by this replay of the partition, across attempts (offsets covered since the start) */
  readonly consumed: number;
  readonly eventsPerSecond: number;
}

export interface PartitionReplayResult {
  readonly partition: number;
  readonly nextOffset: number;
  readonly consumed: number;
  /** the watermark the partition reached at the end of its range (null: no event in it) */
  readonly horizon: number | null;
}

export interface PartitionReplayOptions<E extends object> {
  readonly jobId: string;
  readonly pipeline: Pipeline;
  /** batch: nothing late, every window final at the end; stream: the live rules, state left open at the end */
  readonly mode: OperatorMode;
  readonly partition: number;
  readonly startOffset: number;
  /** exclusive */
  readonly endOffset: number;
  readonly kafka: KafkaClient;
  /**
   * the group the partition is read in (the run's: `lk-batch-<runId>`, or the new version's); its committed
   * offsets follow the flushes, for lag tools
   */
  readonly groupId: string;
  readonly store: StreamJobStore;
  readonly decode: (record: ConsumedRecord) => Promise<E>;
  readonly isPoison: (error: unknown) => boolean;
  readonly deadLetters: DeadLetterQueue;
  /** runs inside each flush transaction, after the epoch check (e.g. the results topic of a Kappa version) */
  readonly publish?: (flush: StreamFlush) => Promise<void>;
  /**
   * runs on the last flush's connection, in its transaction: the caller marks the partition done there (and
   * may refuse, e.g. a cancelled run, by throwing — nothing of the flush commits then)
   */
  readonly finish: (client: PoolClient, result: PartitionReplayResult) => Promise<void>;
  /** after every committed flush */
  readonly onProgress?: (progress: ReplayProgress) => Promise<void>;
  readonly flushIntervalMs: number;
  /**
   * the partition's log start offset now: asked when the read skips offsets, to tell records deleted by
   * retention (the replay cannot be exact: it fails) from gaps a log may have (compaction, transaction markers)
   */
  readonly logStartOffset?: () => Promise<number>;
  /** consumer settings of the reader (e.g. maxBytesPerPartition: how much one fetch brings) */
  readonly consumerSettings?: ConsumerSettings;
  readonly signal?: AbortSignal;
  readonly logger: Logger;
  /** wall clock in ms; schedules flushes and measures rates, never decides a result */
  readonly now?: () => number;
}

/** Records of the range were deleted (retention) before the replay read them: it cannot be exact. */
export class RecordsDeletedError extends Error {
  override readonly name = 'RecordsDeletedError';
  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly from: number,
    readonly to: number,
  ) {
    super(
      `records [${from}, ${to}) of ${topic}[${partition}] were deleted (retention) before the replay read them; ` +
        'start a new run (its range begins at the log start now)',
    );
  }
}

/** The partition was claimed by another attempt (a retried job) since this one claimed it. */
export class PartitionFencedError extends Error {
  override readonly name = 'PartitionFencedError';
  constructor(
    readonly jobId: string,
    readonly partition: number,
  ) {
    super(`${jobId} partition ${partition} was claimed by another attempt; this one stops`);
  }
}

/**
 * Replays one partition's retained range through the operators and persists like the speed job does —
 * incremental flushes (changed windows with their accumulators, late events, next offset, max event time)
 * in one transaction each, under an owner epoch — so an attempt that crashes or is retried resumes from its
 * last flush and never counts an event twice, and a Kappa replay leaves exactly the state a live speed
 * instance of that version resumes from. The last flush commits with `finish` (the partition is done).
 */
export class PartitionReplay<E extends object> {
  private readonly operator: KeyedWindowOperator<E>;
  private readonly target: FlushTarget;
  private readonly now: () => number;
  private epoch = 0;
  private flushedOffset = 0;
  private lastFlushAt = 0;
  /** the flush writing in the background, if any; a failed one fails the next step */
  private writing: Promise<void> = Promise.resolve();
  private startedAt = 0;
  private startedFrom = 0;

  constructor(private readonly options: PartitionReplayOptions<E>) {
    this.operator = new KeyedWindowOperator<E>(options.pipeline, {
      mode: options.mode,
      emitAccumulators: true,
    });
    this.target = flushTargetOf(options.jobId, options.pipeline, this.operator.mode);
    this.now = options.now ?? Date.now;
  }

  async run(): Promise<PartitionReplayResult> {
    const { options, operator, target } = this;
    const { partition } = options;
    const claimed = await options.store.claimPartition(
      target.jobId,
      target.pipeline,
      target.topic,
      partition,
      target.stateRetention,
    );
    this.epoch = claimed.epoch;
    if (claimed.nextOffset > 0 || claimed.openWindows.length > 0 || claimed.maxEventTime !== null)
      operator.restorePartition(
        restoredSnapshot(operator.snapshotPartition(partition), claimed, target.sessions),
      );
    // a first attempt starts at the run's start offset (earliest, or resolved from a time)
    this.flushedOffset = Math.max(claimed.nextOffset, options.startOffset);
    operator.skipTo(partition, this.flushedOffset);
    this.startedAt = this.lastFlushAt = this.now();
    this.startedFrom = this.flushedOffset;
    options.logger.info('partition replay started', {
      job: target.jobId,
      partition,
      from: this.flushedOffset,
      end: options.endOffset,
      resumed: claimed.nextOffset > 0,
    });
    const handle = operatorBatchHandler(operator, {
      decode: options.decode,
      isPoison: options.isPoison,
      deadLetters: options.deadLetters,
    });
    let result: PartitionReplayResult | undefined;
    await readPartitionRange(options.kafka, {
      topic: target.topic,
      partition,
      fromOffset: this.flushedOffset,
      endOffset: options.endOffset,
      groupId: options.groupId,
      signal: options.signal,
      durableOffset: () => this.flushedOffset,
      settings: options.consumerSettings,
      onBatch: async (batch) => {
        options.signal?.throwIfAborted();
        await this.checkContinuity(Number(batch.records[0]!.offset));
        await handle(batch);
        // the last batch finishes here, so the reader still commits the end offset to the group
        if (Number(batch.records.at(-1)!.offset) + 1 >= options.endOffset) result = await this.finish();
        else if (this.now() - this.lastFlushAt >= options.flushIntervalMs) {
          // the drain is synchronous (one consistent cut); reading goes on while its rows are written, and
          // waits only when the previous flush is still writing (at most one in flight)
          await this.writing;
          this.lastFlushAt = this.now();
          this.writing = this.flush();
          this.writing.catch(() => undefined);
        }
      },
    });
    options.signal?.throwIfAborted();
    // nothing left to read (resumed after the last record's flush) or the range ended in a gap of the log
    result ??= await this.finish();
    options.logger.info('partition replay done', {
      job: target.jobId,
      partition,
      end: options.endOffset,
      seconds: Math.round(this.now() - this.startedAt) / 1000,
    });
    return result;
  }

  /** Records skipped between what was read and this batch were deleted by retention: no exact result. */
  private async checkContinuity(firstOffset: number): Promise<void> {
    const { options, operator } = this;
    const expected = operator.nextOffset(options.partition) ?? this.flushedOffset;
    if (firstOffset <= expected || options.logStartOffset === undefined) return;
    const logStart = await options.logStartOffset();
    if (logStart > expected)
      throw new RecordsDeletedError(
        options.pipeline.source,
        options.partition,
        expected,
        Math.min(logStart, firstOffset),
      );
  }

  /** The range is read: batch mode ends its input (every window final), stream mode keeps its state open. */
  private async finish(): Promise<PartitionReplayResult> {
    const { options, operator } = this;
    const { partition } = options;
    await this.writing;
    operator.skipTo(partition, options.endOffset);
    const horizon = this.horizon();
    if (options.mode === 'batch') operator.advanceToEndOfInput(partition);
    const result: PartitionReplayResult = {
      partition,
      nextOffset: options.endOffset,
      consumed: options.endOffset - options.startOffset,
      horizon,
    };
    await this.flush((client) => options.finish(client, result));
    return result;
  }

  /** The watermark reached: stream mode's own; in batch mode, where it stays at −∞, the stream rule's. */
  private horizon(): number | null {
    const { operator, options } = this;
    const maxEventTime = operator.maxEventTime(options.partition);
    if (!Number.isFinite(maxEventTime)) return null;
    return maxEventTime - options.pipeline.watermark.maxOutOfOrderness;
  }

  private async flush(within?: (client: PoolClient) => Promise<void>): Promise<void> {
    const { options, operator, target } = this;
    const { partition } = options;
    const nextOffset = operator.nextOffset(partition) ?? this.flushedOffset;
    const watermark = operator.watermark(partition);
    const maxEventTime = operator.maxEventTime(partition);
    const flush = buildFlush(target, [
      {
        operator,
        progress: {
          partition,
          epoch: this.epoch,
          nextOffset,
          watermark: Number.isFinite(watermark) ? watermark : null,
          maxEventTime: Number.isFinite(maxEventTime) ? maxEventTime : null,
        },
      },
    ]);
    const outcome = await options.store.flush(flush, options.publish, within && ((client) => within(client)));
    if (outcome.fenced.includes(partition)) throw new PartitionFencedError(target.jobId, partition);
    this.flushedOffset = nextOffset;
    const now = this.now();
    this.lastFlushAt = now;
    const seconds = Math.max((now - this.startedAt) / 1000, 0.001);
    await options.onProgress?.({
      partition,
      nextOffset,
      endOffset: options.endOffset,
      consumed: nextOffset - options.startOffset,
      eventsPerSecond: Math.round((nextOffset - this.startedFrom) / seconds),
    });
  }
}
