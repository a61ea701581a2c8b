import { USER_EVENTS_SUBJECT, loadAvsc, type UserEvent } from '../user-event';
import {
  AvroRecordDecoder,
  type AvroRecordDecoderOptions,
  type WriterSchemaRegistry,
} from './avro-record-decoder';
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

export type UserEventDecoderOptions = Partial<
  Pick<AvroRecordDecoderOptions<UserEvent>, 'subject' | 'maxRecordBytes' | 'maxItems' | 'unknownIdRecheckMs'>
>;

/**
 * Reads any registered version of UserEvent into the newest one this code knows (v2). Writers must be
 * registered under user-events-value (the contract's subject) unless options.subject says otherwise.
 * A number (or undefined) as the second argument is maxRecordBytes, as in the first version of this function,
 * which services still call that way.
 */
export function createUserEventDecoder(
  registry: WriterSchemaRegistry,
  options: UserEventDecoderOptions | number | undefined = {},
): AvroRecordDecoder<UserEvent> {
  const settings =
    typeof options === 'number' || options === undefined ? { maxRecordBytes: options } : options;
  return new AvroRecordDecoder<UserEvent>(registry, {
    ...settings,
    subject: settings.subject ?? USER_EVENTS_SUBJECT,
    readerSchema: loadAvsc('user-event.v2.avsc'),
    validate: validateUserEvent,
  });
}
