import type { UserEventV1, UserEventV2 } from '@lk/schemas';
import type { GeneratedEvent, SchemaVersion } from '../generator/generated-event';

/** One line of the --jsonl file: the event exactly as produced, and where and when Kafka stored it. */
export type JsonlRecord = (UserEventV1 | UserEventV2) & {
  partition: number;
  offset: number;
  /** the Kafka record timestamp (CreateTime, epoch ms) the producer set: what maxEventTimeSkew is judged by */
  timestamp: number;
  schema_version: SchemaVersion;
  /**
   * present (true) only on an event whose time the generator pushed back beyond the disorder bound (a late
   * event, or a duplicate of one): the ground truth of which events a stream job may drop as late
   */
  late?: true;
};

/**
 * The event's own fields first (a v1 event has no country), then partition, offset, timestamp and
 * schema_version, and `late: true` on a late event (absent otherwise). Offsets are JSON numbers: exact up to
 * 2^53, far beyond any partition's offsets here.
 */
export function jsonlLine(
  generated: GeneratedEvent,
  partition: number,
  offset: bigint,
  timestamp: number,
): string {
  const record: JsonlRecord = {
    ...generated.event,
    partition,
    offset: Number(offset),
    timestamp,
    schema_version: generated.schemaVersion,
    ...(generated.late ? { late: true as const } : {}),
  };
  return JSON.stringify(record);
}
