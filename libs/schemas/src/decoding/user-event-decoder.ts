import type { SchemaRegistryClient } from '../registry/schema-registry-client';
import { loadAvsc, type UserEvent } from '../user-event';
import { AvroRecordDecoder } from './avro-record-decoder';
import { UserEventValidationError } from './errors';

/** Checks Avro cannot express: what the operators rely on (a key, a finite event time and amount). */
export function validateUserEvent(event: UserEvent): void {
  if (event.event_id.length === 0) throw new UserEventValidationError('event_id', 'is empty');
  if (event.user_id.length === 0)
    throw new UserEventValidationError('user_id', 'is empty (it is the partition key)');
  if (!Number.isFinite(event.amount))
    throw new UserEventValidationError('amount', `is ${event.amount}, expected a finite number`);
  if (!Number.isSafeInteger(event.ts) || event.ts < 0) {
    throw new UserEventValidationError('ts', `is ${event.ts}, expected epoch milliseconds >= 0`);
  }
}

/** Reads any registered version of UserEvent into the newest one this code knows (v2). */
export function createUserEventDecoder(
  registry: SchemaRegistryClient,
  maxRecordBytes?: number,
): AvroRecordDecoder<UserEvent> {
  return new AvroRecordDecoder<UserEvent>(registry, {
    readerSchema: loadAvsc('user-event.v2.avsc'),
    maxRecordBytes,
    validate: validateUserEvent,
  });
}
