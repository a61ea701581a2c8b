import type { Aggregator } from '../aggregators/aggregator';
import { AccumulatorColumns } from './accumulator-columns';
import { growFloat64, growInt32, growUint8, nextCapacity } from './growable';
import { NONE } from './key-table';

/**
 * Fixed windows chain their slots per window start (`timerNext`); sessions carry a generation (to tell
 * stale timers apart) and the bounds last published (to retract them once the session grows or merges).
 */
export type SlotLayout = 'fixed' | 'session';

/**
 * Open (key, window) pairs of one partition as struct-of-arrays slots: an open window costs a few typed-array
 * cells, and a final window's slot is recycled. Slots of a key form a chain through `next`, starting at the
 * key's `head`; free slots form a chain through `next` too.
 */
export class WindowSlots {
  key = new Int32Array(0);
  start = new Float64Array(0);
  end = new Float64Array(0);
  next = new Int32Array(0);
  /** Changes applied so far: events added (merged sessions add up theirs); finality adds one more. */
  revision = new Float64Array(0);
  dirty = new Uint8Array(0);
  timerNext = new Int32Array(0);
  generation = new Int32Array(0);
  publishedStart = new Float64Array(0);
  publishedEnd = new Float64Array(0);
  readonly accumulators: AccumulatorColumns;
  private used = 0;
  private freeHead = NONE;
  private live = 0;

  constructor(
    aggregators: readonly Aggregator[],
    private readonly layout: SlotLayout,
  ) {
    this.accumulators = new AccumulatorColumns(aggregators);
  }

  /** Number of open windows. */
  get size(): number {
    return this.live;
  }

  alloc(keyId: number, start: number, end: number): number {
    let slot = this.freeHead;
    if (slot !== NONE) this.freeHead = this.next[slot]!;
    else {
      if (this.used === this.key.length) this.grow(nextCapacity(this.used));
      slot = this.used++;
    }
    this.live++;
    this.key[slot] = keyId;
    this.start[slot] = start;
    this.end[slot] = end;
    this.next[slot] = NONE;
    this.revision[slot] = 0;
    if (this.layout === 'session') this.publishedStart[slot] = NaN;
    this.accumulators.init(slot);
    return slot;
  }

  release(slot: number): void {
    this.live--;
    this.dirty[slot] = 0;
    if (this.layout === 'session') this.generation[slot] = this.generation[slot]! + 1;
    this.accumulators.release(slot);
    this.next[slot] = this.freeHead;
    this.freeHead = slot;
  }

  private grow(capacity: number): void {
    this.key = growInt32(this.key, capacity);
    this.start = growFloat64(this.start, capacity);
    this.end = growFloat64(this.end, capacity);
    this.next = growInt32(this.next, capacity);
    this.revision = growFloat64(this.revision, capacity);
    this.dirty = growUint8(this.dirty, capacity);
    if (this.layout === 'fixed') this.timerNext = growInt32(this.timerNext, capacity);
    else {
      this.generation = growInt32(this.generation, capacity);
      this.publishedStart = growFloat64(this.publishedStart, capacity);
      this.publishedEnd = growFloat64(this.publishedEnd, capacity);
    }
    this.accumulators.grow(capacity);
  }
}
