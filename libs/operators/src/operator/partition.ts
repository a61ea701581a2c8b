import type { Aggregator } from '../aggregators/aggregator';
import { growInt32 } from '../state/growable';
import { KeyTable, NONE } from '../state/key-table';
import { PARTITION_SNAPSHOT_FORMAT, type PartitionSnapshot, type WindowSnapshot } from '../state/snapshot';
import { WindowSlots, type SlotLayout } from '../state/window-slots';
import type { LateRecord, WindowRetraction } from './types';
import type { WindowResult } from './window-result';

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

/** Where a partition's drained output goes: changed windows one by one, retractions and late records listed. */
export interface DrainTarget<E> {
  readonly result: WindowResult;
  readonly onChange: (result: WindowResult) => void;
  readonly retractions: WindowRetraction[];
  readonly late: LateRecord<E>[];
}

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
  protected readonly keys: KeyTable;
  protected readonly slots: WindowSlots;
  private dirtyList = new Int32Array(64);
  private dirtyCount = 0;
  /**
   * Windows finalized since the last drain, with their keys' names (the key itself may be released before
   * the drain). Their slots are freed only once drained, so the drain reads the final result from the slot
   * instead of a result object made at finalization.
   */
  private finalList = new Int32Array(64);
  private finalKeys: string[] = [];
  private finalCount = 0;
  private retractions: WindowRetraction[] = [];
  private late: LateRecord<E>[] = [];

  constructor(
    readonly partition: number,
    protected readonly config: PartitionConfig,
    layout: SlotLayout,
  ) {
    this.slots = new WindowSlots(config.aggregators, layout);
    this.keys = new KeyTable(layout.kind === 'session');
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
    return this.slots.size - this.finalCount;
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
    return this.dirtyCount > 0 || this.finalCount > 0 || this.retractions.length > 0 || this.late.length > 0;
  }

  /**
   * Hands the output accumulated since the last drain to `out`: open windows changed since then, once each,
   * then the windows finalized since then (whose slots are released now), retractions and late records.
   */
  drain(out: DrainTarget<E>): void {
    const { slots, keys, dirtyList, finalList, finalKeys } = this;
    const dirtyCount = this.dirtyCount;
    const finalCount = this.finalCount;
    this.dirtyCount = 0;
    this.finalCount = 0;
    this.finalKeys = [];
    let visited = 0;
    try {
      for (; visited < dirtyCount; visited++) {
        const slot = dirtyList[visited]!;
        // Finalized or merged-away windows left stale entries behind; their dirty flag was cleared then.
        if (!slots.isDirty(slot)) continue;
        slots.setDirty(slot, false);
        this.publish(slot);
        out.onChange(out.result.point(slots, slot, keys.name(slots.key(slot)), false));
      }
      for (let i = 0; i < finalCount; i++)
        out.onChange(out.result.point(slots, finalList[i]!, finalKeys[i]!, true));
    } finally {
      // A sink that throws loses this drain's output, as any failed flush does (restore the partition to
      // retry), but never the state's consistency: no window stays flagged dirty without being listed, no
      // final slot stays queued to be emitted and freed twice.
      for (let i = visited; i < dirtyCount; i++) slots.setDirty(dirtyList[i]!, false);
      for (let i = 0; i < finalCount; i++) slots.release(finalList[i]!);
      out.result.detach();
      for (const retraction of this.retractions) out.retractions.push(retraction);
      this.retractions = [];
      for (const record of this.late) out.late.push(record);
      this.late = [];
    }
  }

  snapshot(): PartitionSnapshot {
    const windows: WindowSnapshot[] = [];
    const finalFrontiers: [string, number][] = [];
    const { slots } = this;
    for (const keyId of this.keys.keyIds()) {
      const key = this.keys.name(keyId);
      const frontier = this.keys.frontierOf(keyId);
      if (frontier !== -Infinity) finalFrontiers.push([key, frontier]);
      for (let slot = this.keys.head[keyId]!; slot !== NONE; slot = slots.next(slot)) {
        const published = this.publishedBounds(slot);
        windows.push({
          key,
          start: slots.start(slot),
          end: slots.end(slot),
          revision: slots.revision(slot),
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
      this.slots.setRevision(slot, window.revision);
      this.slots.accumulators.fromJSON(slot, window.accumulators);
      if (window.published !== undefined)
        this.slots.setPublished(slot, window.published[0], window.published[1]);
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
    if (this.slots.isDirty(slot)) return;
    this.slots.setDirty(slot, true);
    if (this.dirtyCount === this.dirtyList.length)
      this.dirtyList = growInt32(this.dirtyList, this.dirtyCount * 2);
    this.dirtyList[this.dirtyCount++] = slot;
  }

  protected emitLate(event: E, key: string, windowStart: number, windowEnd: number, watermark: number): void {
    this.late.push({ event, key, windowStart, windowEnd, watermark, offset: this.currentOffset });
  }

  protected retract(slot: number, windowStart: number, windowEnd: number): void {
    const key = this.keys.name(this.slots.key(slot));
    this.retractions.push({ pipeline: this.config.pipeline, key, windowStart, windowEnd });
  }

  /**
   * Takes the window out of its key's chain and queues its final result (the next drain emits it and frees
   * the slot); the key goes too unless it has other state.
   */
  protected finalize(slot: number): void {
    this.publish(slot);
    const keyId = this.slots.key(slot);
    this.slots.setDirty(slot, false);
    this.unlink(keyId, slot);
    if (this.finalCount === this.finalList.length)
      this.finalList = growInt32(this.finalList, this.finalCount * 2);
    this.finalKeys.push(this.keys.name(keyId));
    this.finalList[this.finalCount++] = slot;
    if (this.keys.head[keyId] === NONE && this.keys.frontierOf(keyId) === -Infinity) this.keyEmptied(keyId);
  }

  /** A key was left without windows or other state: release it (subclasses may defer that). */
  protected keyEmptied(keyId: number): void {
    this.keys.release(keyId);
  }

  protected link(keyId: number, slot: number): void {
    this.slots.setNext(slot, this.keys.head[keyId]!);
    this.keys.head[keyId] = slot;
  }

  protected unlink(keyId: number, slot: number): void {
    const { slots } = this;
    let current = this.keys.head[keyId]!;
    if (current === slot) {
      this.keys.head[keyId] = slots.next(slot);
      return;
    }
    while (slots.next(current) !== slot) current = slots.next(current);
    slots.setNext(current, slots.next(slot));
  }
}
