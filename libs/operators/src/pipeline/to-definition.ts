import type { Pipeline } from './types';

/**
 * A validated pipeline spelled as pipelines.yaml spells it (durations as `<ms>ms`), so that
 * `validatePipelines([toDefinition(p)])[0]` is `p` again: what a stored definition (a version's, a replay
 * run's) is read back with.
 */
export function toDefinition(pipeline: Pipeline): Record<string, unknown> {
  const ms = (value: number): string => `${value}ms`;
  const { window } = pipeline;
  const windowDefinition =
    window.type === 'session'
      ? { type: 'session', gap: ms(window.gap) }
      : window.type === 'tumbling'
        ? {
            type: 'tumbling',
            size: ms(window.size),
            ...(window.offset !== 0 && { offset: ms(window.offset) }),
          }
        : {
            type: 'sliding',
            size: ms(window.size),
            slide: ms(window.slide),
            ...(window.offset !== 0 && { offset: ms(window.offset) }),
          };
  return {
    name: pipeline.name,
    source: pipeline.source,
    ...(pipeline.format !== undefined && { format: pipeline.format }),
    ...(pipeline.subject !== undefined && { subject: pipeline.subject }),
    key: pipeline.key,
    time: pipeline.time,
    window: windowDefinition,
    watermark: { maxOutOfOrderness: ms(pipeline.watermark.maxOutOfOrderness) },
    allowedLateness: ms(pipeline.allowedLateness),
    aggregations: pipeline.aggregations.map((a) => ({ ...a })),
    ...(pipeline.maxEventTimeSkew !== undefined && { maxEventTimeSkew: ms(pipeline.maxEventTimeSkew) }),
    ...(pipeline.stateRetention !== undefined && { stateRetention: ms(pipeline.stateRetention) }),
  };
}
