import type { AggregatorRegistry } from '../aggregators/aggregator';
import { resolveAggregators } from '../aggregators/resolve';
import { OperatorStateError } from '../errors';
import type { Pipeline } from '../pipeline/types';
import {
  OPERATOR_SNAPSHOT_FORMAT,
  PARTITION_SNAPSHOT_FORMAT,
  type OperatorSnapshot,
  type PartitionSnapshot,
} from '../state/snapshot';
import { windowAssigner } from '../windows/from-spec';
import type { WindowAssigner } from '../windows/window';
import { EventReader } from './event-reader';
import { FixedWindowPartition } from './fixed-window-partition';
import type { Partition, PartitionConfig } from './partition';
import { SessionPartition } from './session-partition';
import type { OperatorOutput, SourceRecord } from './types';

export type OperatorMode = 'stream' | 'batch';

export interface KeyedWindowOperatorOptions {
  /**
   * 'stream' (default): per-partition watermarks decide lateness and finality as events arrive.
   * 'batch': the same operator with the watermark held at −∞ until advanceToEndOfInput(), so nothing is late.
   */
  readonly mode?: OperatorMode;
  /** User-defined aggregators that the pipeline's aggregations name in `fn`. */
  readonly aggregators?: AggregatorRegistry;
}

export interface OperatorStats {
  readonly partitions: number;
  readonly keys: number;
  readonly openWindows: number;
}

/**
 * Keyed event-time window aggregation for one pipeline, for both the streaming and the batch path. Feed it
 * records in partition order (partitions may interleave arbitrarily), collect the output with flush(), and
 * persist snapshots taken right after a flush together with that output.
 */
export class KeyedWindowOperator<E extends object = Record<string, unknown>> {
  readonly mode: OperatorMode;
  readonly assigner: WindowAssigner;
  private readonly config: PartitionConfig;
  private readonly reader: EventReader;
  private readonly partitions: (Partition<E> | undefined)[] = [];

  constructor(
    readonly pipeline: Pipeline,
    options: KeyedWindowOperatorOptions = {},
  ) {
    this.mode = options.mode ?? 'stream';
    this.assigner = windowAssigner(pipeline.window);
    const aggregators = resolveAggregators(pipeline, options.aggregators);
    this.reader = new EventReader(pipeline, aggregators);
    const { key, time, window, watermark, allowedLateness, aggregations } = pipeline;
    this.config = {
      pipeline: pipeline.name,
      fingerprint: JSON.stringify({
        key,
        time,
        window,
        watermark,
        allowedLateness,
        aggregations,
        mode: this.mode,
      }),
      aggregationNames: aggregations.map((a) => a.name),
      aggregators,
      allowedLateness,
      maxOutOfOrderness: this.mode === 'batch' ? Infinity : watermark.maxOutOfOrderness,
    };
  }

  /**
   * Applies one event read at `offset` of `partition`. Returns false, changing nothing, when the offset is
   * below the partition's next offset (already applied, e.g. redelivered after a restore). Throws
   * InvalidEventError, changing nothing, when the event lacks a usable key, time or aggregation input.
   */
  process(event: E, partition: number, offset?: number): boolean {
    const state = this.partitions[partition] ?? this.createPartition(partition);
    if (offset !== undefined && state.nextOffset !== undefined && offset < state.nextOffset) return false;
    const { reader } = this;
    const key = reader.key(event);
    const time = reader.time(event);
    const inputs = reader.readInputs(event);
    state.ingest(event, key, time, inputs);
    state.observe(time);
    if (offset !== undefined) state.nextOffset = offset + 1;
    return true;
  }

  /** process() for a polled batch; returns how many records were applied. */
  processRecords(records: Iterable<SourceRecord<E>>): number {
    let applied = 0;
    for (const record of records) if (this.process(record.value, record.partition, record.offset)) applied++;
    return applied;
  }

  /** Takes the output accumulated since the last flush, for all partitions or one. */
  flush(partition?: number): OperatorOutput<E> {
    const output: OperatorOutput<E> = { changes: [], retractions: [], late: [] };
    for (const state of this.selected(partition)) state.drain(output);
    return output;
  }

  /**
   * The +∞ watermark: finalizes every open window (of one partition, or of all seen so far). Batch mode is
   * a run that ends with this; events arriving afterwards are late.
   */
  advanceToEndOfInput(partition?: number): void {
    if (partition !== undefined && this.partitions[partition] === undefined) this.createPartition(partition);
    for (const state of this.selected(partition)) state.endInput();
  }

  /** wm(p); −Infinity before the partition's first event (and throughout a batch run). */
  watermark(partition: number): number {
    return this.partitions[partition]?.watermark ?? -Infinity;
  }

  /** The offset to resume `partition` from, when records came with offsets. */
  nextOffset(partition: number): number | undefined {
    return this.partitions[partition]?.nextOffset;
  }

  /** Partitions holding state, ascending. */
  partitionIds(): number[] {
    return this.selected().map((state) => state.partition);
  }

  stats(): OperatorStats {
    const states = this.selected();
    return {
      partitions: states.length,
      keys: states.reduce((n, state) => n + state.keyCount, 0),
      openWindows: states.reduce((n, state) => n + state.openWindows, 0),
    };
  }

  /** State of one partition as plain JSON. Flush first: output not yet taken is not part of a snapshot. */
  snapshotPartition(partition: number): PartitionSnapshot {
    const state = this.partitions[partition] ?? this.newPartition(partition);
    if (state.hasPendingOutput()) {
      throw new OperatorStateError(
        this.pipeline.name,
        `partition ${partition} has output that was not flushed; flush() before snapshotting`,
      );
    }
    return state.snapshot();
  }

  snapshot(): OperatorSnapshot {
    return {
      format: OPERATOR_SNAPSHOT_FORMAT,
      pipeline: this.pipeline.name,
      fingerprint: this.config.fingerprint,
      partitions: this.selected().map((state) => this.snapshotPartition(state.partition)),
    };
  }

  /** Replaces one partition's state, e.g. when the partition is assigned to this consumer. */
  restorePartition(snapshot: PartitionSnapshot): void {
    this.checkCompatible(snapshot.format, PARTITION_SNAPSHOT_FORMAT, snapshot.pipeline, snapshot.fingerprint);
    const state = this.newPartition(snapshot.partition);
    state.restore(snapshot);
    this.partitions[snapshot.partition] = state;
  }

  /** Replaces all state. */
  restore(snapshot: OperatorSnapshot): void {
    this.checkCompatible(snapshot.format, OPERATOR_SNAPSHOT_FORMAT, snapshot.pipeline, snapshot.fingerprint);
    this.partitions.length = 0;
    for (const partition of snapshot.partitions) this.restorePartition(partition);
  }

  /** Drops a partition's state and unflushed output, e.g. when the partition is revoked from this consumer. */
  releasePartition(partition: number): void {
    this.partitions[partition] = undefined;
  }

  private selected(partition?: number): Partition<E>[] {
    if (partition !== undefined) {
      const state = this.partitions[partition];
      return state === undefined ? [] : [state];
    }
    return this.partitions.filter((state) => state !== undefined);
  }

  private createPartition(partition: number): Partition<E> {
    const state = this.newPartition(partition);
    this.partitions[partition] = state;
    return state;
  }

  private newPartition(partition: number): Partition<E> {
    if (!(Number.isSafeInteger(partition) && partition >= 0)) {
      throw new RangeError(`partition must be a non-negative integer, got ${partition}`);
    }
    return this.assigner.isMerging
      ? new SessionPartition<E>(partition, this.config, this.assigner)
      : new FixedWindowPartition<E>(partition, this.config, this.assigner);
  }

  private checkCompatible(format: string, expected: string, pipeline: string, fingerprint: string): void {
    if (format !== expected) {
      throw new OperatorStateError(
        this.pipeline.name,
        `expected a snapshot of format ${expected}, got ${format}`,
      );
    }
    if (pipeline !== this.pipeline.name || fingerprint !== this.config.fingerprint) {
      throw new OperatorStateError(
        this.pipeline.name,
        `snapshot of pipeline "${pipeline}" was taken under another configuration (${fingerprint}), ` +
          `this operator runs ${this.config.fingerprint}`,
      );
    }
  }
}
