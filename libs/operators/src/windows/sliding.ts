import { fixedWindows } from './fixed';
import type { FixedWindowAssigner } from './window';

/**
 * Hopping windows of `size` starting every `slide`: an event is in every such window that contains it
 * (`size / slide` of them when size is a multiple of slide, otherwise that number rounded up or down).
 */
export function sliding(size: number, slide: number, offset = 0): FixedWindowAssigner {
  return fixedWindows('sliding', size, slide, offset);
}
