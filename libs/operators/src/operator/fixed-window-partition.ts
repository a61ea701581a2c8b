import { NONE } from '../state/key-table';
import { MinHeap } from '../state/min-heap';
import type { FixedWindowAssigner } from '../windows/window';
import { Partition, type PartitionConfig } from './partition';

/**
 * Tumbling and sliding windows of one partition. All windows with the same start end together, so timers
 * are per start: a heap of distinct starts, each with a chain of its windows through `timerNext`.
 */
export class FixedWindowPartition<E> extends Partition<E> {
  private readonly starts: Float64Array;
  private readonly timerHeads = new Map<number, number>();
  private readonly timerStarts = new MinHeap();
  /**
   * Keys left without windows when the windows of the last start were finalized. They are released when the
   * next start is, unless they have a window again by then: most keys come back in the next window, and
   * releasing and re-interning them would cost two more lookups in the key `Map` each (cache misses at
   * 1 M keys). So an empty key lives at most until the next window start is final.
   */
  private emptied: number[] = [];

  constructor(
    partition: number,
    config: PartitionConfig,
    private readonly assigner: FixedWindowAssigner,
  ) {
    super(partition, config, { kind: 'fixed', size: assigner.size });
    this.starts = new Float64Array(assigner.maxWindowsPerEvent);
  }

  /**
   * The event is dropped from each of its windows with `end + allowedLateness <= wm(p)` (that window is
   * already final) and added to the others, so a sliding event can be late for some windows only.
   */
  ingest(event: E, key: string, time: number, inputs: readonly unknown[]): void {
    const { starts, slots } = this;
    const { size } = this.assigner;
    const n = this.assigner.assignWindowStarts(time, starts);
    const watermark = this.watermark;
    const lateness = this.config.allowedLateness;
    let keyId = NONE;
    for (let i = 0; i < n; i++) {
      const start = starts[i]!;
      const end = start + size;
      if (end + lateness <= watermark) {
        this.emitLate(event, key, start, end, watermark);
        continue;
      }
      if (keyId === NONE) keyId = this.keys.intern(key);
      const slot = this.windowOf(keyId, start, end);
      slots.accumulators.add(slot, inputs);
      slots.setRevision(slot, slots.revision(slot) + 1);
      this.markDirty(slot);
    }
  }

  protected fire(watermark: number): void {
    const { size } = this.assigner;
    const lateness = this.config.allowedLateness;
    // Same expression as in ingest, so a window is final exactly when events for it count as late.
    while (this.timerStarts.size > 0 && this.timerStarts.peek() + size + lateness <= watermark) {
      const start = this.timerStarts.pop();
      this.releaseRetiredKeys();
      let slot = this.timerHeads.get(start)!;
      this.timerHeads.delete(start);
      while (slot !== NONE) {
        const next = this.slots.timerNext(slot);
        this.finalize(slot);
        slot = next;
      }
    }
  }

  override endInput(): void {
    super.endInput();
    this.emptied.length = 0;
  }

  protected override keyEmptied(keyId: number): void {
    this.emptied.push(keyId);
  }

  private releaseRetiredKeys(): void {
    const { emptied, keys } = this;
    for (const keyId of emptied) if (keys.head[keyId] === NONE) keys.release(keyId);
    emptied.length = 0;
  }

  protected schedule(slot: number): void {
    const start = this.slots.start(slot);
    const head = this.timerHeads.get(start);
    if (head === undefined) this.timerStarts.push(start);
    this.slots.setTimerNext(slot, head ?? NONE);
    this.timerHeads.set(start, slot);
  }

  private windowOf(keyId: number, start: number, end: number): number {
    const { slots } = this;
    for (let slot = this.keys.head[keyId]!; slot !== NONE; slot = slots.next(slot)) {
      if (slots.start(slot) === start) return slot;
    }
    const slot = slots.alloc(keyId, start, end);
    this.link(keyId, slot);
    this.schedule(slot);
    return slot;
  }
}
