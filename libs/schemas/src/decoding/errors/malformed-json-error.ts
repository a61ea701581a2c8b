import { RecordDecodeError } from './record-decode-error';

/** A value of a `json` source that is not one JSON object within the bounds (UTF-8, depth). */
export class MalformedJsonError extends RecordDecodeError {
  override readonly name = 'MalformedJsonError';
  readonly reason = 'malformed-json';
  constructor(detail: string) {
    super(`record value is not a JSON object: ${detail}`);
  }
}
