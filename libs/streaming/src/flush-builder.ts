import type { OperatorOutput, Pipeline } from '@lk/operators';
import type { LateEventRow, PartitionProgress, RetractedWindow, StreamFlush, WindowRow } from '@lk/store';

/** One partition's share of a flush: what the operator emitted since the last one and where it stands. */
export interface PartitionDrain<E> {
  readonly output: OperatorOutput<E>;
  readonly progress: PartitionProgress;
}

export interface FlushTarget {
  readonly jobId: string;
  readonly pipeline: string;
  readonly topic: string;
  /** the pipeline's key field, to name the key of a late event */
  readonly keyField: string;
  /** session windows: a final session moves its key's frontier F(k) to its end */
  readonly sessions: boolean;
  /**
   * sessions: the pipeline's stateRetention R — each flush deletes the frontier rows with
   * `frontier + R <= watermark` of its partitions (the operator has released those frontiers)
   */
  readonly stateRetention?: number;
}

/** What a job of `pipeline` writes its flushes as: the streaming job and the partition replays alike. */
export function flushTargetOf(jobId: string, pipeline: Pipeline): FlushTarget {
  const sessions = pipeline.window.type === 'session';
  return {
    jobId,
    pipeline: pipeline.name,
    topic: pipeline.source,
    keyField: pipeline.key,
    sessions,
    ...(sessions && pipeline.stateRetention !== undefined && { stateRetention: pipeline.stateRetention }),
  };
}

/**
 * Turns drained operator output into the rows of one flush transaction. Pure: the speed service drains the
 * operator synchronously and writes the result, so what is written is one consistent cut of the state.
 */
export function buildFlush<E extends object>(
  target: FlushTarget,
  drains: readonly PartitionDrain<E>[],
): StreamFlush {
  const changes: WindowRow[] = [];
  const retractions: RetractedWindow[] = [];
  const late: LateEventRow[] = [];
  const frontiers: { partition: number; key: string; frontier: number }[] = [];
  for (const { output, progress } of drains) {
    const { partition } = progress;
    const frontierOf = new Map<string, number>();
    for (const change of output.changes) {
      changes.push({
        partition,
        key: change.key,
        windowStart: change.windowStart,
        windowEnd: change.windowEnd,
        values: change.values,
        revision: change.revision,
        final: change.final,
        accumulators: change.accumulators ?? null,
      });
      if (target.sessions && change.final)
        frontierOf.set(change.key, Math.max(frontierOf.get(change.key) ?? -Infinity, change.windowEnd));
    }
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
        key: String((record.event as Record<string, unknown>)[target.keyField]),
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
    ...(target.sessions && target.stateRetention !== undefined && { stateRetention: target.stateRetention }),
  };
}
