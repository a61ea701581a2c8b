import { requirePositiveDuration, type SessionWindowAssigner } from './window';

/**
 * Sessions per key: consecutive events at most `gap` apart share a session `[first, last + gap)`. The bound
 * is inclusive, so an event exactly at a session's end joins it; that is also why an event can bridge two
 * sessions whose proto-windows merely touch.
 */
export function session(gap: number): SessionWindowAssigner {
  requirePositiveDuration('session gap', gap);
  return {
    type: 'session',
    isMerging: true,
    gap,
    assignWindows: (time) => [{ start: time, end: time + gap }],
    touches: (start, end, time) => start - gap <= time && time <= end,
  };
}
