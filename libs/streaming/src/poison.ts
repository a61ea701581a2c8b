import { EventTimeSkewError, InvalidEventError } from '@lk/operators';
import { RecordDecodeError } from '@lk/schemas';

/**
 * Errors that are properties of the record — undecodable, or refused by the operators (no usable key or
 * time, time too far ahead of the record timestamp): the record goes to the DLQ. Everything else (registry,
 * Postgres, bugs) is retried.
 */
export function isPoisonError(error: unknown): boolean {
  return (
    error instanceof RecordDecodeError ||
    error instanceof InvalidEventError ||
    error instanceof EventTimeSkewError
  );
}
