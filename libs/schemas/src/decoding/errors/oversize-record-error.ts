import { RecordDecodeError } from './record-decode-error';

export class OversizeRecordError extends RecordDecodeError {
  override readonly name = 'OversizeRecordError';
  readonly reason = 'oversize';
  constructor(
    readonly bytes: number,
    readonly maxBytes: number,
  ) {
    super(`record value is ${bytes} bytes, more than the limit of ${maxBytes}`);
  }
}
