import type { Aggregator } from '../aggregators/aggregator';
import { KeyTable, NONE } from '../state/key-table';
import { PARTITION_SNAPSHOT_FORMAT, type PartitionSnapshot, type WindowSnapshot } from '../state/snapshot';
import { WindowSlots, type SlotLayout } from '../state/window-slots';
import type { LateRecord, OperatorOutput, ResultChange, WindowRetraction } from './types';

/** What the partitions of one operator share. */
export interface PartitionConfig {
  readonly pipeline: string;
  readonly fingerprint: string;
  readonly aggregationNames: readonly string[];
  readonly aggregators: readonly Aggregator[];
  readonly allowedLateness: number;
  /**
   * Stream mode: an event with `t + stateRetention <= wm(p)` is late, and key state older than that horizon
   * is released (sessions: F(k)). Undefined: no horizon, frontiers are kept until the end of input.
   */
  readonly stateRetention: number | undefined;
  /** Infinity in batch mode, which holds the watermark at −∞ until the end of input. */
  readonly maxOutOfOrderness: number;
  /** every change carries its accumulators (final ones too: the merge service re-adds late events to them) */
  readonly emitAccumulators: boolean;
}

type Output<E> = { -readonly [K in keyof OperatorOutput<E>]: OperatorOutput<E>[K] };

/**
 * The state of one input partition: its watermark, its keys and open windows, and the output accumulated
 * since the last flush. Keys never span partitions, so partitions are independent; that is what makes
 * results independent of how partitions are interleaved or spread over consumers.
 */
export abstract class Partition<E> {
  maxEventTime = -Infinity;
  endOfInput = false;
  nextOffset: number | undefined;
  /** The offset of the record being applied, for the late records it produces. */
  currentOffset: number | undefined;
  protected readonly keys = new KeyTable();
  protected readonly slots: WindowSlots;
  private dirtyList = new Int32Array(64);
  private dirtyCount = 0;
  private finals: ResultChange[] = [];
  private retractions: WindowRetraction[] = [];
  private late: LateRecord<E>[] = [];
  /**
   * The shape of a result's `values`, all null. Aggregation names that Object.prototype has (`__proto__`)
   * are refused by validation and by the operator, so every name is an ordinary own property here.
   */
  private readonly valuesTemplate: Record<string, number | null> = {};

  constructor(
    readonly partition: number,
    protected readonly config: PartitionConfig,
    layout: SlotLayout,
  ) {
    this.slots = new WindowSlots(config.aggregators, layout);
    for (const name of config.aggregationNames) this.valuesTemplate[name] = null;
  }

  /** Applies one validated event (lateness is judged here, against the watermark before the event). */
  abstract ingest(event: E, key: string, time: number, inputs: readonly unknown[]): void;

  /** Finalizes every window with `end + allowedLateness <= watermark`. */
  protected abstract fire(watermark: number): void;

  /** Registers a restored window with the timers. */
  protected abstract schedule(slot: number): void;

  /** wm(p) = max event time seen on p − maxOutOfOrderness; +∞ once the input has ended. */
  get watermark(): number {
    return this.endOfInput ? Infinity : this.maxEventTime - this.config.maxOutOfOrderness;
  }

  get openWindows(): number {
    return this.slots.size;
  }

  get keyCount(): number {
    return this.keys.size;
  }

  /** Only event time moves the watermark, and only forwards. */
  observe(time: number): void {
    if (time > this.maxEventTime) {
      this.maxEventTime = time;
      this.fire(this.watermark);
    }
  }

  /**
   * The +∞ watermark finalizes every window. After it every event is late (its window or proto-session is
   * final on its own), so no key state is needed any more: session frontiers F(k) go with the keys.
   */
  endInput(): void {
    this.endOfInput = true;
    this.fire(Infinity);
    this.keys.clear();
  }

  hasPendingOutput(): boolean {
    return (
      this.dirtyCount > 0 || this.finals.length > 0 || this.retractions.length > 0 || this.late.length > 0
    );
  }

  /** Moves the accumulated output into `out`; open windows changed since the last drain are emitted once. */
  drain(out: Output<E>): void {
    const { finals, late } = this;
    this.finals = [];
    this.late = [];
    for (let i = 0; i < this.dirtyCount; i++) {
      const slot = this.dirtyList[i]!;
      // Finalized or merged-away windows left stale entries behind; their dirty flag was cleared then.
      if (this.slots.dirty[slot] === 0) continue;
      this.slots.dirty[slot] = 0;
      this.publish(slot);
      out.changes.push(this.result(slot, false));
    }
    this.dirtyCount = 0;
    for (const change of finals) out.changes.push(change);
    for (const retraction of this.retractions) out.retractions.push(retraction);
    this.retractions = [];
    for (const record of late) out.late.push(record);
  }

  snapshot(): PartitionSnapshot {
    const windows: WindowSnapshot[] = [];
    const finalFrontiers: [string, number][] = [];
    const { slots } = this;
    for (const keyId of this.keys.keyIds()) {
      const key = this.keys.name(keyId);
      const frontier = this.keys.frontier[keyId]!;
      if (frontier !== -Infinity) finalFrontiers.push([key, frontier]);
      for (let slot = this.keys.head[keyId]!; slot !== NONE; slot = slots.next[slot]!) {
        const published = this.publishedBounds(slot);
        windows.push({
          key,
          start: slots.start[slot]!,
          end: slots.end[slot]!,
          revision: slots.revision[slot]!,
          accumulators: slots.accumulators.toJSON(slot),
          ...(published === undefined ? {} : { published }),
        });
      }
    }
    return {
      format: PARTITION_SNAPSHOT_FORMAT,
      pipeline: this.config.pipeline,
      fingerprint: this.config.fingerprint,
      partition: this.partition,
      maxEventTime: this.maxEventTime === -Infinity ? null : this.maxEventTime,
      endOfInput: this.endOfInput,
      nextOffset: this.nextOffset ?? null,
      windows,
      finalFrontiers,
    };
  }

  /** Loads a snapshot into this (fresh) partition. */
  restore(snapshot: PartitionSnapshot): void {
    this.maxEventTime = snapshot.maxEventTime ?? -Infinity;
    this.endOfInput = snapshot.endOfInput;
    this.nextOffset = snapshot.nextOffset ?? undefined;
    // After the end of input no frontier matters (snapshots of older versions may still list them).
    const frontiers = this.endOfInput ? [] : snapshot.finalFrontiers;
    for (const [key, frontier] of frontiers) this.restoreFrontier(key, frontier);
    // Chains are rebuilt by prepending, so restore in reverse to keep each key's window order.
    for (let i = snapshot.windows.length - 1; i >= 0; i--) {
      const window = snapshot.windows[i]!;
      const keyId = this.keys.intern(window.key);
      const slot = this.slots.alloc(keyId, window.start, window.end);
      this.slots.revision[slot] = window.revision;
      this.slots.accumulators.fromJSON(slot, window.accumulators);
      if (window.published !== undefined) {
        this.slots.publishedStart[slot] = window.published[0];
        this.slots.publishedEnd[slot] = window.published[1];
      }
      this.link(keyId, slot);
      this.schedule(slot);
    }
  }

  /** Sessions: gives a restored key its final frontier F(k); returns the key's id. */
  protected restoreFrontier(key: string, frontier: number): number {
    // intern first: it may grow (replace) the frontier column, which the assignment must then see
    const keyId = this.keys.intern(key);
    this.keys.frontier[keyId] = frontier;
    return keyId;
  }

  /** Sessions: retracts bounds emitted earlier that the window no longer has, and records the new ones. */
  protected publish(_slot: number): void {}

  protected publishedBounds(_slot: number): readonly [number, number] | undefined {
    return undefined;
  }

  protected markDirty(slot: number): void {
    if (this.slots.dirty[slot] !== 0) return;
    this.slots.dirty[slot] = 1;
    if (this.dirtyCount === this.dirtyList.length) {
      const grown = new Int32Array(this.dirtyCount * 2);
      grown.set(this.dirtyList);
      this.dirtyList = grown;
    }
    this.dirtyList[this.dirtyCount++] = slot;
  }

  protected emitLate(event: E, windowStart: number, windowEnd: number, watermark: number): void {
    this.late.push({ event, windowStart, windowEnd, watermark, offset: this.currentOffset });
  }

  protected retract(slot: number, windowStart: number, windowEnd: number): void {
    const key = this.keys.name(this.slots.key[slot]!);
    this.retractions.push({ pipeline: this.config.pipeline, key, windowStart, windowEnd });
  }

  /** Emits the final result and frees the window; the key goes too unless it has other state. */
  protected finalize(slot: number): void {
    this.publish(slot);
    this.finals.push(this.result(slot, true));
    const keyId = this.slots.key[slot]!;
    this.unlink(keyId, slot);
    if (this.keys.head[keyId] === NONE && this.keys.frontier[keyId] === -Infinity) this.keyEmptied(keyId);
    this.slots.release(slot);
  }

  /** A key was left without windows or other state: release it (subclasses may defer that). */
  protected keyEmptied(keyId: number): void {
    this.keys.release(keyId);
  }

  protected link(keyId: number, slot: number): void {
    this.slots.next[slot] = this.keys.head[keyId]!;
    this.keys.head[keyId] = slot;
  }

  protected unlink(keyId: number, slot: number): void {
    const { next } = this.slots;
    let current = this.keys.head[keyId]!;
    if (current === slot) {
      this.keys.head[keyId] = next[slot]!;
      return;
    }
    while (next[current] !== slot) current = next[current]!;
    next[current] = next[slot]!;
  }

  private result(slot: number, final: boolean): ResultChange {
    const { slots, config } = this;
    // A copy of the template has every property already, so filling it in changes no object shape.
    const values: Record<string, number | null> = { ...this.valuesTemplate };
    for (let i = 0; i < config.aggregationNames.length; i++) {
      values[config.aggregationNames[i]!] = slots.accumulators.result(slot, i);
    }
    return {
      pipeline: config.pipeline,
      key: this.keys.name(slots.key[slot]!),
      windowStart: slots.start[slot]!,
      windowEnd: slots.end[slot]!,
      values,
      revision: slots.revision[slot]! + (final ? 1 : 0),
      final,
      ...(config.emitAccumulators ? { accumulators: slots.accumulators.toJSON(slot) } : {}),
    };
  }
}
