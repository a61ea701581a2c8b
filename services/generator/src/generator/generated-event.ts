import type { UserEventV1, UserEventV2 } from '@lk/schemas';

export type SchemaVersion = 1 | 2;

/** One record of the generated stream, with the ground truth of how it was made. */
export interface GeneratedEvent {
  /** position in the stream, 0-based (duplicates have their own position) */
  index: number;
  /** a v1 event has no country property at all; a v2 event always has one (possibly null) */
  event: UserEventV1 | UserEventV2;
  schemaVersion: SchemaVersion;
  /** event time this position would have with no disorder: start + index × eventTimePerSecond / nominalRate */
  nominalTs: number;
  /** ts was pushed back beyond the disorder bound (a duplicate keeps its original's flag) */
  late: boolean;
  /** a re-send of an earlier event (same event_id and content) */
  duplicate: boolean;
}
