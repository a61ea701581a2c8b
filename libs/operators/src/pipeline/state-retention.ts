import { MAX_DURATION_MS } from '../limits';
import type { Pipeline } from './types';

/**
 * The shortest `stateRetention` a pipeline may have: the window's extent (its size; the gap for sessions)
 * plus allowedLateness. With at least that, an event with `t + stateRetention <= wm(p)` is late under the
 * window rules already — every window of a tumbling or sliding event ends by `t + size`, and a session
 * event that touches no open session has the proto-session `[t, t + gap)`, final then — except a session
 * event that would extend an open session backwards. So the retention rule changes which events are late
 * for sessions only, and only for those.
 */
export function minStateRetention(pipeline: Pick<Pipeline, 'window' | 'allowedLateness'>): number {
  const { window, allowedLateness } = pipeline;
  return (window.type === 'session' ? window.gap : window.size) + allowedLateness;
}

/**
 * What a PipelineConfigError about `stateRetention` expects, or undefined when `value` is acceptable: whole
 * milliseconds, at most MAX_DURATION_MS and at least minStateRetention(pipeline).
 */
export function stateRetentionProblem(
  pipeline: Pick<Pipeline, 'window' | 'allowedLateness'>,
  value: number,
): string | undefined {
  if (!Number.isInteger(value) || value > MAX_DURATION_MS) {
    return `a whole number of milliseconds, at most ${MAX_DURATION_MS}`;
  }
  const min = minStateRetention(pipeline);
  if (value < min) {
    const extent = pipeline.window.type === 'session' ? 'window.gap' : 'window.size';
    return `a duration of at least ${extent} + allowedLateness (${min}ms)`;
  }
  return undefined;
}
