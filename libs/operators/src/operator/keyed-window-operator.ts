import type { AggregatorRegistry } from '../aggregators/aggregator';
import { resolveAggregators } from '../aggregators/resolve';
import {
  EventTimeSkewError,
  InvalidPartitionError,
  MissingRecordTimestampError,
  OperatorStateError,
  PipelineConfigError,
} from '../errors';
import { isReservedName } from '../pipeline/reserved-names';
import { stateRetentionProblem } from '../pipeline/state-retention';
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
import type { OperatorOutput, ResultChange, SourceRecord } from './types';
import { WindowResult } from './window-result';

/** Partitions below this are looked up by array index (4096 × 8 bytes at most), others in the Map. */
const DIRECT_PARTITIONS = 4_096;

export type OperatorMode = 'stream' | 'batch';

export interface KeyedWindowOperatorOptions {
  /**
   * 'stream' (default): per-partition watermarks decide lateness and finality as events arrive.
   * 'batch': the same operator with the watermark held at −∞ until advanceToEndOfInput(), so nothing is late.
   */
  readonly mode?: OperatorMode;
  /** User-defined aggregators that the pipeline's aggregations name in `fn`. */
  readonly aggregators?: AggregatorRegistry;
  /**
   * Every change carries its accumulators (as a snapshot encodes them): a sink that stores them with the
   * result can restore a partition from its open rows alone, so persistence is incremental, and a final
   * window's accumulators let a comparison add the late events it dropped back to it (avg, count_distinct).
   */
  readonly emitAccumulators?: boolean;
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
  /**
   * Partition number → state. A Map, not an array indexed by partition: partition 1e9 made a sparse array
   * that every flush scanned in full (45 s), and indices ≥ 2^32 − 1 were silently not array elements.
   */
  private readonly states = new Map<number, Partition<E>>();
  /** The same states by ascending partition, so flush(), snapshot() and stats() have a deterministic order. */
  private ordered: Partition<E>[] = [];
  /**
   * The per-record lookup: states indexed by partition number, for numbers below DIRECT_PARTITIONS (every
   * topic's partitions in practice). Bounded, so a large partition number cannot make it huge; those go to
   * the Map only. An array index is measurably cheaper per event than a Map lookup (bench: tumbling count+sum).
   */
  private direct: (Partition<E> | undefined)[] = [];
  private readonly maxEventTimeSkew: number | undefined;
  /** The one WindowResult every flush points at each changed window in turn. */
  private readonly result: WindowResult;

  constructor(
    readonly pipeline: Pipeline,
    options: KeyedWindowOperatorOptions = {},
  ) {
    this.mode = options.mode ?? 'stream';
    // Pipelines built in code skip parsePipelines' validation; this one check guards the result objects.
    pipeline.aggregations.forEach(({ name }, i) => {
      if (isReservedName(name)) {
        throw new PipelineConfigError({
          pipeline: pipeline.name,
          field: `aggregations[${i}].name`,
          expected: 'a name that is not a property of JavaScript objects (__proto__, constructor, ...)',
          got: name,
        });
      }
    });
    this.assigner = windowAssigner(pipeline.window);
    // Below the bound the retention rule would drop events whose windows are still open.
    if (pipeline.stateRetention !== undefined) {
      const problem = stateRetentionProblem(pipeline, pipeline.stateRetention);
      if (problem !== undefined) {
        throw new PipelineConfigError({
          pipeline: pipeline.name,
          field: 'stateRetention',
          expected: problem,
          got: pipeline.stateRetention,
        });
      }
    }
    this.maxEventTimeSkew = pipeline.maxEventTimeSkew;
    const aggregators = resolveAggregators(pipeline, options.aggregators);
    this.reader = new EventReader(pipeline, aggregators);
    const { key, time, window, watermark, allowedLateness, aggregations, maxEventTimeSkew, stateRetention } =
      pipeline;
    this.config = {
      pipeline: pipeline.name,
      // maxEventTimeSkew decides which events count, stateRetention which are late and which frontiers a
      // snapshot holds; undefined is left out, so pipelines without them keep the fingerprints their
      // snapshots were taken under.
      fingerprint: JSON.stringify({
        key,
        time,
        window,
        watermark,
        allowedLateness,
        aggregations,
        mode: this.mode,
        maxEventTimeSkew,
        stateRetention,
      }),
      aggregationNames: aggregations.map((a) => a.name),
      aggregators,
      allowedLateness,
      stateRetention,
      maxOutOfOrderness: this.mode === 'batch' ? Infinity : watermark.maxOutOfOrderness,
      emitAccumulators: options.emitAccumulators ?? false,
    };
    this.result = new WindowResult(pipeline.name, this.config.aggregationNames);
  }

  /**
   * Applies one event read at `offset` of `partition`. Returns false, changing nothing, when the offset is
   * below the partition's next offset (already applied, e.g. redelivered after a restore). Throws, changing
   * nothing: InvalidPartitionError for a partition that is not an int32 ≥ 0; InvalidEventError when the
   * event lacks a usable key, time or aggregation input; EventTimeSkewError when the pipeline has
   * maxEventTimeSkew and the event time is more than that ahead of `recordTimestamp` (the Kafka record's
   * timestamp); MissingRecordTimestampError when it has maxEventTimeSkew and no usable `recordTimestamp`.
   * `recordKey` is the Kafka record key, read only by a pipeline keyed by `$key` (as `recordTimestamp` is the
   * event time of one timed by `$timestamp`).
   * Dead-letter the record on InvalidEventError and EventTimeSkewError; the others are caller errors.
   */
  process(
    event: E,
    partition: number,
    offset?: number,
    recordTimestamp?: number,
    recordKey?: string | Uint8Array | null,
  ): boolean {
    let state = this.stateOf(partition);
    if (offset !== undefined && state?.nextOffset !== undefined && offset < state.nextOffset) return false;
    const { reader } = this;
    const key = reader.key(event, recordKey);
    const time = reader.time(event, recordTimestamp);
    if (this.maxEventTimeSkew !== undefined) this.checkSkew(time, recordTimestamp, this.maxEventTimeSkew);
    const inputs = reader.readInputs(event);
    // Only a valid event creates its partition, so a rejected record leaves no trace.
    state ??= this.createPartition(partition);
    state.currentOffset = offset;
    state.ingest(event, key, time, inputs);
    state.observe(time);
    if (offset !== undefined) state.nextOffset = offset + 1;
    return true;
  }

  /**
   * Marks every offset below `nextOffset` of `partition` as consumed without an event, e.g. records that
   * went to the dead-letter queue: the partition then resumes after them. Never moves backwards.
   */
  skipTo(partition: number, nextOffset: number): void {
    if (!Number.isSafeInteger(nextOffset) || nextOffset < 0)
      throw new RangeError(`nextOffset must be a non-negative integer, got ${nextOffset}`);
    const state = this.stateOf(partition) ?? this.createPartition(partition);
    if (state.nextOffset === undefined || nextOffset > state.nextOffset) state.nextOffset = nextOffset;
  }

  /** process() for a polled batch; returns how many records were applied. */
  processRecords(records: Iterable<SourceRecord<E>>): number {
    let applied = 0;
    for (const record of records) {
      if (this.process(record.value, record.partition, record.offset, record.timestamp, record.key))
        applied++;
    }
    return applied;
  }

  /** Whether changes carry their accumulators (the `emitAccumulators` option). */
  get emitsAccumulators(): boolean {
    return this.config.emitAccumulators;
  }

  /**
   * Whether a flush of `partition` (of every partition) would have anything to give: a changed window, a
   * retraction or a late record. (A window changed and then merged into another may make it true while the
   * flush gives only the other.)
   */
  hasPendingOutput(partition?: number): boolean {
    return this.selected(partition).some((state) => state.hasPendingOutput());
  }

  /** Takes the output accumulated since the last flush, for all partitions or one. */
  flush(partition?: number): OperatorOutput<E> {
    const changes: ResultChange[] = [];
    const { emitAccumulators } = this.config;
    const { retractions, late } = this.flushEach((result) => {
      changes.push(result.toChange(emitAccumulators));
    }, partition);
    return { changes, retractions, late };
  }

  /**
   * flush() without a result object per changed window: `onChange` sees each changed window in turn through
   * one reused WindowResult (read it during the call), in the order flush() lists them; the retractions
   * and late records are returned. Same output, same state afterwards: a sink that writes the windows'
   * fields straight into its batch saves an allocation per window (bench: the 1 M-key scenarios).
   * `onChange` must not call this operator. If it throws, the flush fails with its error and its output is
   * lost, as any failed flush's is (restore the partition to redo it); the operator's state stays consistent.
   */
  flushEach(
    onChange: (result: WindowResult) => void,
    partition?: number,
  ): Pick<OperatorOutput<E>, 'retractions' | 'late'> {
    const target = { result: this.result, onChange, retractions: [], late: [] };
    for (const state of this.selected(partition)) state.drain(target);
    return { retractions: target.retractions, late: target.late };
  }

  /**
   * The +∞ watermark: finalizes every open window (of one partition, or of all seen so far). Batch mode is
   * a run that ends with this; events arriving afterwards are late.
   */
  advanceToEndOfInput(partition?: number): void {
    if (partition !== undefined && this.stateOf(partition) === undefined) this.createPartition(partition);
    for (const state of this.selected(partition)) state.endInput();
  }

  /** wm(p); −Infinity before the partition's first event (and throughout a batch run). */
  watermark(partition: number): number {
    return this.states.get(partition)?.watermark ?? -Infinity;
  }

  /**
   * The largest event time seen on `partition`; −Infinity before its first event. In batch mode, where the
   * watermark stays at −∞ until the end, this says how far the input reached in event time.
   */
  maxEventTime(partition: number): number {
    return this.states.get(partition)?.maxEventTime ?? -Infinity;
  }

  /** The offset to resume `partition` from, when records came with offsets. */
  nextOffset(partition: number): number | undefined {
    return this.states.get(partition)?.nextOffset;
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
    const state = this.states.get(partition) ?? this.newPartition(partition);
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
    this.releasePartition(snapshot.partition);
    this.insert(state);
  }

  /** Replaces all state. */
  restore(snapshot: OperatorSnapshot): void {
    this.checkCompatible(snapshot.format, OPERATOR_SNAPSHOT_FORMAT, snapshot.pipeline, snapshot.fingerprint);
    this.states.clear();
    this.ordered = [];
    this.direct = [];
    for (const partition of snapshot.partitions) this.restorePartition(partition);
  }

  /** Drops a partition's state and unflushed output, e.g. when the partition is revoked from this consumer. */
  releasePartition(partition: number): void {
    const state = this.states.get(partition);
    if (state === undefined) return;
    this.states.delete(partition);
    this.ordered.splice(this.ordered.indexOf(state), 1);
    if (partition < this.direct.length) this.direct[partition] = undefined;
  }

  private selected(partition?: number): readonly Partition<E>[] {
    if (partition === undefined) return this.ordered;
    const state = this.states.get(partition);
    return state === undefined ? [] : [state];
  }

  /** The partition's state, if any; validates the number first, so a bad one cannot create state. */
  private stateOf(partition: number): Partition<E> | undefined {
    const { direct } = this;
    // `>>> 0` keeps exactly the integers in [0, 2^32): below direct.length (≤ DIRECT_PARTITIONS) all valid.
    if (partition >>> 0 === partition && partition < direct.length) return direct[partition];
    requirePartition(partition);
    return partition < DIRECT_PARTITIONS ? undefined : this.states.get(partition);
  }

  private createPartition(partition: number): Partition<E> {
    const state = this.newPartition(partition);
    this.insert(state);
    return state;
  }

  /** Adds a state for a partition that has none, keeping `ordered` sorted (binary search; new partitions are rare). */
  private insert(state: Partition<E>): void {
    const { partition } = state;
    this.states.set(partition, state);
    if (partition < DIRECT_PARTITIONS) {
      // push, not an assignment past the end: keeps the array packed (no holes), which V8 indexes fastest.
      while (this.direct.length <= partition) this.direct.push(undefined);
      this.direct[partition] = state;
    }
    let lo = 0;
    let hi = this.ordered.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.ordered[mid]!.partition < state.partition) lo = mid + 1;
      else hi = mid;
    }
    this.ordered.splice(lo, 0, state);
  }

  private newPartition(partition: number): Partition<E> {
    requirePartition(partition);
    return this.assigner.isMerging
      ? new SessionPartition<E>(partition, this.config, this.assigner)
      : new FixedWindowPartition<E>(partition, this.config, this.assigner);
  }

  private checkSkew(time: number, recordTimestamp: number | undefined, maxEventTimeSkew: number): void {
    if (!Number.isSafeInteger(recordTimestamp)) {
      throw new MissingRecordTimestampError(this.pipeline.name, recordTimestamp);
    }
    if (time - recordTimestamp! > maxEventTimeSkew) {
      throw new EventTimeSkewError(this.pipeline.name, time, recordTimestamp!, maxEventTimeSkew);
    }
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

/** Kafka partitions are int32 ≥ 0. `(p | 0) === p` is exactly that test for numbers, and cheap. */
function requirePartition(partition: number): void {
  if (!((partition | 0) === partition && partition >= 0)) throw new InvalidPartitionError(partition);
}
