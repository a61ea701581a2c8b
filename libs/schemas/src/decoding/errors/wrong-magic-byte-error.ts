import { RecordDecodeError } from './record-decode-error';

export class WrongMagicByteError extends RecordDecodeError {
  override readonly name = 'WrongMagicByteError';
  readonly reason = 'wrong-magic-byte';
  constructor(readonly magicByte: number) {
    super(`record starts with byte ${magicByte}, not the Confluent wire format's magic byte 0`);
  }
}
