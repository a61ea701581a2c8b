import { fixedWindows } from './fixed';
import type { FixedWindowAssigner } from './window';

/** Non-overlapping windows `[offset + k·size, offset + (k+1)·size)`: exactly one per event. */
export function tumbling(size: number, offset = 0): FixedWindowAssigner {
  return fixedWindows('tumbling', size, size, offset);
}
