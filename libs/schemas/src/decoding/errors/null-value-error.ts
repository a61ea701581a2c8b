import { RecordDecodeError } from './record-decode-error';

export class NullValueError extends RecordDecodeError {
  override readonly name = 'NullValueError';
  readonly reason = 'null-value';
  constructor() {
    super('record has a null value (tombstone); an event is expected');
  }
}
