import type { KeyedWindowOperator, OperatorMode, Pipeline } from '@lk/operators';
import type { LateEventRow, PartitionProgress, RetractedWindow, StreamFlush, WindowRow } from '@lk/store';

/**
 * One partition's share of a flush: the operator whose output for `progress.partition` since the last flush
 * buildFlush takes (drains), and where the partition stands.
 */
export interface PartitionDrain<E extends object> {
  readonly operator: KeyedWindowOperator<E>;
  readonly progress: PartitionProgress;
}

export interface FlushTarget {
  readonly jobId: string;
  readonly pipeline: string;
  readonly topic: string;
  /** session windows (their rows carry published bounds, retractions delete rows) */
  readonly sessions: boolean;
  /**
   * stream-mode sessions: a final session moves its key's frontier F(k) to its end, stored for restores.
   * A batch run finalizes every session only at its end, in the flush that completes the partition, and is
   * never resumed from there: it stores none.
   */
  readonly frontiers: boolean;
  /**
   * sessions: the pipeline's stateRetention R — each flush deletes the frontier rows with
   * `frontier + R <= watermark` of its partitions (the operator has released those frontiers)
   */
  readonly stateRetention?: number;
}

/** What a job of `pipeline` writes its flushes as: the streaming job and the partition replays alike. */
export function flushTargetOf(jobId: string, pipeline: Pipeline, mode: OperatorMode = 'stream'): FlushTarget {
  const sessions = pipeline.window.type === 'session';
  return {
    jobId,
    pipeline: pipeline.name,
    topic: pipeline.source,
    sessions,
    frontiers: sessions && mode === 'stream',
    ...(sessions && pipeline.stateRetention !== undefined && { stateRetention: pipeline.stateRetention }),
  };
}

/**
 * Drains the operator's output of each partition into the rows of one flush transaction, synchronously, so
 * what is written is one consistent cut of the state. Each changed window becomes its row directly
 * (`flushEach`): no intermediate result object per window.
 */
export function buildFlush<E extends object>(
  target: FlushTarget,
  drains: readonly PartitionDrain<E>[],
): StreamFlush {
  const changes: WindowRow[] = [];
  const retractions: RetractedWindow[] = [];
  const late: LateEventRow[] = [];
  const frontiers: { partition: number; key: string; frontier: number }[] = [];
  for (const { operator, progress } of drains) {
    const { partition } = progress;
    const frontierOf = new Map<string, number>();
    const withAccumulators = operator.emitsAccumulators;
    const output = operator.flushEach((result) => {
      changes.push({
        partition,
        key: result.key,
        windowStart: result.windowStart,
        windowEnd: result.windowEnd,
        values: result.values(),
        revision: result.revision,
        final: result.final,
        accumulators: withAccumulators ? result.accumulators() : null,
      });
      if (target.frontiers && result.final)
        frontierOf.set(result.key, Math.max(frontierOf.get(result.key) ?? -Infinity, result.windowEnd));
    }, partition);
    for (const [key, frontier] of frontierOf) frontiers.push({ partition, key, frontier });
    for (const retraction of output.retractions)
      retractions.push({
        partition,
        key: retraction.key,
        windowStart: retraction.windowStart,
        windowEnd: retraction.windowEnd,
      });
    for (const record of output.late) {
      late.push({
        partition,
        offset: record.offset ?? -1,
        key: record.key,
        windowStart: record.windowStart,
        windowEnd: record.windowEnd,
        watermark: record.watermark,
        event: record.event,
      });
    }
  }
  return {
    jobId: target.jobId,
    pipeline: target.pipeline,
    topic: target.topic,
    changes,
    retractions,
    late,
    frontiers,
    partitions: drains.map((drain) => drain.progress),
    ...(target.stateRetention !== undefined && { stateRetention: target.stateRetention }),
  };
}
