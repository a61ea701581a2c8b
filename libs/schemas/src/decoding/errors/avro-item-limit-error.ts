import { RecordDecodeError } from './record-decode-error';

/**
 * The arrays and maps of one record hold more items than the decoder's maxItems. Items of a zero-size type
 * (null, an empty record) cost no body bytes, so only this limit bounds how long decoding them takes.
 */
export class AvroItemLimitError extends RecordDecodeError {
  override readonly name = 'AvroItemLimitError';
  readonly reason = 'avro-item-limit';
  constructor(
    readonly schemaId: number,
    readonly items: number,
    readonly maxItems: number,
  ) {
    super(
      `Avro body (writer schema id ${schemaId}) claims ${items} array/map item(s), ` +
        `more than the limit of ${maxItems} per record`,
    );
  }
}
