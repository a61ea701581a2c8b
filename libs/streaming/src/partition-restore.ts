import type { PartitionSnapshot, WindowSnapshot, JsonValue } from '@lk/operators';
import type { ClaimedPartition } from '@lk/store';

/**
 * The operator snapshot of a partition rebuilt from its Postgres rows: the open windows with their
 * accumulators, the max event time (so the watermark is exactly where the last flush left it), the next
 * offset and, for sessions, the key frontiers. Every stored row was published at the flush that wrote it,
 * so its bounds are the session's published bounds.
 */
export function restoredSnapshot(
  empty: PartitionSnapshot,
  claimed: ClaimedPartition,
  sessions: boolean,
): PartitionSnapshot {
  const windows: WindowSnapshot[] = claimed.openWindows.map((row) => ({
    key: row.key,
    start: row.windowStart,
    end: row.windowEnd,
    revision: row.revision,
    accumulators: (row.accumulators ?? []) as JsonValue[],
    ...(sessions ? { published: [row.windowStart, row.windowEnd] as const } : {}),
  }));
  return {
    ...empty,
    maxEventTime: claimed.maxEventTime,
    endOfInput: false,
    nextOffset: claimed.nextOffset,
    windows,
    finalFrontiers: sessions ? claimed.frontiers : [],
  };
}
