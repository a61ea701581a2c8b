import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** UserEvent v1 (avro/user-event.v1.avsc). test/user-event.test.ts keeps these types in step with the files. */
export interface UserEventV1 {
  event_id: string;
  user_id: string;
  event_type: string;
  amount: number;
  /** event time, epoch milliseconds (Avro long, logicalType timestamp-millis) */
  ts: number;
}

/** UserEvent v2 (avro/user-event.v2.avsc): adds an optional country. */
export interface UserEventV2 extends UserEventV1 {
  country: string | null;
}

/** The newest version this code knows; consumers read every older version into it. */
export type UserEvent = UserEventV2;

export const USER_EVENTS_TOPIC = 'user-events';
export const USER_EVENTS_SUBJECT = `${USER_EVENTS_TOPIC}-value`;

export type AvroRecordSchema = { type: 'record'; name: string; namespace?: string; fields: AvroField[] };
export type AvroField = { name: string; type: unknown; default?: unknown; doc?: string };

const avroDir = join(__dirname, '..', 'avro');

export function loadAvsc(fileName: string): AvroRecordSchema {
  return JSON.parse(readFileSync(join(avroDir, fileName), 'utf8')) as AvroRecordSchema;
}

/** Every version of UserEvent, oldest first. */
export function userEventSchemas(): AvroRecordSchema[] {
  return [loadAvsc('user-event.v1.avsc'), loadAvsc('user-event.v2.avsc')];
}
