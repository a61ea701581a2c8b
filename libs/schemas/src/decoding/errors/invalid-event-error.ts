import { RecordDecodeError } from './record-decode-error';

export class InvalidEventError extends RecordDecodeError {
  override readonly name = 'InvalidEventError';
  readonly reason = 'invalid-event';
  constructor(
    readonly field: string,
    problem: string,
  ) {
    super(`decoded event is invalid: ${field}: ${problem}`);
  }
}
