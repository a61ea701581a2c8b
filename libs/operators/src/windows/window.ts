import { MAX_DURATION_MS } from '../limits';

/** A half-open event-time interval `[start, end)` in epoch milliseconds. */
export interface Window {
  readonly start: number;
  readonly end: number;
}

/**
 * Tumbling and sliding windows: every event gets a fixed set of windows computed from its time alone, so a
 * window is identified by its start (its end is always `start + size`).
 */
export interface FixedWindowAssigner {
  readonly type: 'tumbling' | 'sliding';
  readonly isMerging: false;
  readonly size: number;
  readonly slide: number;
  readonly offset: number;
  /** Most windows one event can fall into; sizes the scratch buffer of assignWindowStarts. */
  readonly maxWindowsPerEvent: number;
  assignWindows(time: number): Window[];
  /** Allocation-free variant for the hot path: writes the starts, latest first, into `out`; returns the count. */
  assignWindowStarts(time: number, out: Float64Array): number;
}

/**
 * Session windows: an event starts the proto-session `[time, time + gap)`, which merges with every session of
 * the same key it touches, so windows only exist per key and change as events arrive.
 */
export interface SessionWindowAssigner {
  readonly type: 'session';
  readonly isMerging: true;
  readonly gap: number;
  /** The event's own proto-session. */
  assignWindows(time: number): Window[];
  /**
   * Whether an event at `time` belongs to the session `[start, end)`: it is at most `gap` away from one of
   * the session's events (the first is `start`, the last is `end - gap`).
   */
  touches(start: number, end: number, time: number): boolean;
}

export type WindowAssigner = FixedWindowAssigner | SessionWindowAssigner;

/**
 * Whole milliseconds from 1 to MAX_DURATION_MS: fractions would make window bounds inexact, and beyond the
 * maximum `time + size` leaves the range where integer arithmetic on doubles is exact.
 */
export function requirePositiveDuration(what: string, value: number): void {
  if (!(Number.isInteger(value) && value > 0 && value <= MAX_DURATION_MS)) {
    throw new RangeError(
      `${what} must be a whole number of milliseconds from 1 to ${MAX_DURATION_MS}, got ${value}`,
    );
  }
}
