import { RecordDecodeError } from './record-decode-error';

export class TruncatedRecordError extends RecordDecodeError {
  override readonly name = 'TruncatedRecordError';
  readonly reason = 'truncated-header';
  constructor(readonly bytes: number) {
    super(
      `record value is ${bytes} bytes, shorter than the 5-byte Confluent header (magic byte + schema id)`,
    );
  }
}
