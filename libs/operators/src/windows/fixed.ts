import { MAX_WINDOWS_PER_EVENT } from '../limits';
import { requirePositiveDuration, type FixedWindowAssigner, type Window } from './window';

/** Floor modulo: window alignment must also work for times before the epoch. */
function floorMod(value: number, modulus: number): number {
  const r = value % modulus;
  return r < 0 ? r + modulus : r;
}

/**
 * The one implementation behind tumbling and sliding windows: windows of `size` whose starts are
 * `offset + k * slide` (aligned to the epoch), keeping those that contain the event.
 */
export function fixedWindows(
  type: FixedWindowAssigner['type'],
  size: number,
  slide: number,
  offset: number,
): FixedWindowAssigner {
  requirePositiveDuration(`${type} window size`, size);
  requirePositiveDuration(`${type} window slide`, slide);
  if (slide > size)
    throw new RangeError(`${type} window slide (${slide}) must not exceed its size (${size})`);
  if (!(Number.isInteger(offset) && offset >= 0 && offset < slide)) {
    throw new RangeError(`${type} window offset must be a whole number in [0, ${slide}), got ${offset}`);
  }
  const maxWindowsPerEvent = Math.ceil(size / slide);
  // Each event touches this many windows and a buffer of this size is allocated up front.
  if (maxWindowsPerEvent > MAX_WINDOWS_PER_EVENT) {
    throw new RangeError(
      `${type} window of size ${size} sliding by ${slide} puts up to ${maxWindowsPerEvent} windows on each ` +
        `event; at most ${MAX_WINDOWS_PER_EVENT} windows per event are allowed`,
    );
  }

  function assignWindowStarts(time: number, out: Float64Array): number {
    const lowest = time - size;
    let n = 0;
    for (let start = time - floorMod(time - offset, slide); start > lowest; start -= slide) out[n++] = start;
    return n;
  }

  return {
    type,
    isMerging: false,
    size,
    slide,
    offset,
    maxWindowsPerEvent,
    assignWindowStarts,
    assignWindows(time: number): Window[] {
      const starts = new Float64Array(maxWindowsPerEvent);
      const n = assignWindowStarts(time, starts);
      return Array.from(starts.subarray(0, n), (start) => ({ start, end: start + size }));
    },
  };
}
