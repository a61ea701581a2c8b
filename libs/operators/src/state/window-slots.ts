import type { Aggregator } from '../aggregators/aggregator';
import { AccumulatorColumns } from './accumulator-columns';
import { nextCapacity } from './growable';
import { NONE } from './key-table';

/**
 * Fixed windows chain their slots per window start (`timerNext`) and derive `end` from the window size;
 * sessions store `end`, carry a generation (to tell stale timers apart) and the bounds last published (to
 * retract them once the session grows or merges).
 */
export type SlotLayout = { readonly kind: 'fixed'; readonly size: number } | { readonly kind: 'session' };

// Float64 cells of a record. Sessions add END, PUBLISHED_START and PUBLISHED_END; numeric accumulators follow.
const START = 0;
const REVISION = 1;
const END = 2;
const PUBLISHED_START = 3;
const PUBLISHED_END = 4;
// Int32 cells, in the two float64 cells at the end of a record.
const KEY = 0;
const NEXT = 1;
/** fixed: next slot with the same start (timer chain); session: generation. */
const TIMER = 2;
const DIRTY = 3;
const INT_CELLS = 4;

/**
 * Open (key, window) pairs of one partition: one fixed-size record per slot in a single ArrayBuffer,
 * read through a Float64Array and an Int32Array view of it. A final window's slot is recycled. Slots of a
 * key form a chain through `next`, starting at the key's `head`; free slots form a chain through `next` too.
 *
 * A record per slot, not a typed column per field: at 1 M keys almost every event reaches a window that is
 * not in cache, and with columns each field it touches (start, revision, dirty, every accumulator, the
 * chain link) was a cache miss of its own; a record brings them in together, 48 bytes for tumbling
 * count+sum (see bench/README.md, "Operators", for the figures before and after).
 */
export class WindowSlots {
  /** The records, as float64 cells; `stride` cells per slot. */
  f64: Float64Array<ArrayBuffer> = new Float64Array(0);
  /** The same records as int32 cells. */
  i32: Int32Array<ArrayBuffer> = new Int32Array(0);
  readonly stride: number;
  readonly accumulators: AccumulatorColumns;
  /** Index of the int32 cells within a record, in int32 units. */
  private readonly intBase: number;
  private readonly fixedSize: number;
  private readonly session: boolean;
  private capacity = 0;
  private used = 0;
  private freeHead = NONE;
  private live = 0;

  constructor(aggregators: readonly Aggregator[], layout: SlotLayout) {
    this.session = layout.kind === 'session';
    this.fixedSize = layout.kind === 'fixed' ? layout.size : NaN;
    const accumulatorBase = this.session ? PUBLISHED_END + 1 : REVISION + 1;
    this.accumulators = new AccumulatorColumns(aggregators, accumulatorBase);
    const intCell = accumulatorBase + this.accumulators.numericCells;
    this.stride = intCell + INT_CELLS / 2;
    this.intBase = intCell * 2;
  }

  /** Number of open windows. */
  get size(): number {
    return this.live;
  }

  alloc(keyId: number, start: number, end: number): number {
    let slot = this.freeHead;
    if (slot !== NONE) this.freeHead = this.i32[this.ints(slot) + NEXT]!;
    else {
      if (this.used === this.capacity) this.grow(nextCapacity(this.used));
      slot = this.used++;
    }
    this.live++;
    const base = slot * this.stride;
    const ints = this.ints(slot);
    const { f64, i32 } = this;
    f64[base + START] = start;
    f64[base + REVISION] = 0;
    if (this.session) {
      f64[base + END] = end;
      f64[base + PUBLISHED_START] = NaN;
    }
    i32[ints + KEY] = keyId;
    i32[ints + NEXT] = NONE;
    i32[ints + DIRTY] = 0;
    this.accumulators.init(slot);
    return slot;
  }

  release(slot: number): void {
    this.live--;
    const ints = this.ints(slot);
    this.i32[ints + DIRTY] = 0;
    if (this.session) this.i32[ints + TIMER] = this.i32[ints + TIMER]! + 1;
    this.accumulators.release(slot);
    this.i32[ints + NEXT] = this.freeHead;
    this.freeHead = slot;
  }

  start(slot: number): number {
    return this.f64[slot * this.stride + START]!;
  }

  setStart(slot: number, start: number): void {
    this.f64[slot * this.stride + START] = start;
  }

  end(slot: number): number {
    return this.session ? this.f64[slot * this.stride + END]! : this.start(slot) + this.fixedSize;
  }

  /** Sessions only: fixed windows end `size` after their start. */
  setEnd(slot: number, end: number): void {
    this.f64[slot * this.stride + END] = end;
  }

  /** Changes applied so far: events added (merged sessions add up theirs); finality adds one more. */
  revision(slot: number): number {
    return this.f64[slot * this.stride + REVISION]!;
  }

  setRevision(slot: number, revision: number): void {
    this.f64[slot * this.stride + REVISION] = revision;
  }

  publishedStart(slot: number): number {
    return this.f64[slot * this.stride + PUBLISHED_START]!;
  }

  publishedEnd(slot: number): number {
    return this.f64[slot * this.stride + PUBLISHED_END]!;
  }

  setPublished(slot: number, start: number, end: number): void {
    const base = slot * this.stride;
    this.f64[base + PUBLISHED_START] = start;
    this.f64[base + PUBLISHED_END] = end;
  }

  key(slot: number): number {
    return this.i32[this.ints(slot) + KEY]!;
  }

  next(slot: number): number {
    return this.i32[this.ints(slot) + NEXT]!;
  }

  setNext(slot: number, next: number): void {
    this.i32[this.ints(slot) + NEXT] = next;
  }

  timerNext(slot: number): number {
    return this.i32[this.ints(slot) + TIMER]!;
  }

  setTimerNext(slot: number, next: number): void {
    this.i32[this.ints(slot) + TIMER] = next;
  }

  generation(slot: number): number {
    return this.i32[this.ints(slot) + TIMER]!;
  }

  isDirty(slot: number): boolean {
    return this.i32[this.ints(slot) + DIRTY] !== 0;
  }

  setDirty(slot: number, dirty: boolean): void {
    this.i32[this.ints(slot) + DIRTY] = dirty ? 1 : 0;
  }

  private ints(slot: number): number {
    return slot * this.stride * 2 + this.intBase;
  }

  private grow(capacity: number): void {
    const f64 = new Float64Array(capacity * this.stride);
    f64.set(this.f64);
    this.f64 = f64;
    this.i32 = new Int32Array(f64.buffer);
    this.capacity = capacity;
    this.accumulators.attach(f64, this.stride);
  }
}
