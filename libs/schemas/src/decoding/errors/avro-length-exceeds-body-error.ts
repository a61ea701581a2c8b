import { RecordDecodeError } from './record-decode-error';

/**
 * A length or count in the Avro body (string, bytes, fixed, array or map block, block byte size) claims more
 * than the rest of the body can hold. Decoding it would read past the end or, for a block count, loop over
 * items that are not there (2^52 of them freeze the event loop for days), so the record is refused instead.
 */
export class AvroLengthExceedsBodyError extends RecordDecodeError {
  override readonly name = 'AvroLengthExceedsBodyError';
  readonly reason = 'avro-length-exceeds-body';
  constructor(
    readonly schemaId: number,
    readonly what: string,
    readonly claimed: number,
    readonly remainingBytes: number,
  ) {
    super(
      `Avro body (writer schema id ${schemaId}) claims ${what} of ${claimed}, ` +
        `but only ${remainingBytes} byte(s) remain`,
    );
  }
}
