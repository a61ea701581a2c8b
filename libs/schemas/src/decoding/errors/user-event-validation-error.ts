import { RecordDecodeError } from './record-decode-error';

/**
 * A UserEvent decoded fine but breaks a rule Avro cannot express (empty key, non-finite amount, bad time).
 * Named for what it checks: libs/operators has its own InvalidEventError, and the DLQ's lk.error.class header
 * carries error.name, so the two must not share a name.
 */
export class UserEventValidationError extends RecordDecodeError {
  override readonly name = 'UserEventValidationError';
  readonly reason = 'user-event-validation';
  constructor(
    readonly field: string,
    problem: string,
  ) {
    super(`decoded event is invalid: ${field}: ${problem}`);
  }
}
