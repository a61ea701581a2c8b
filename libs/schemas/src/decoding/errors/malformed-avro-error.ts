import { RecordDecodeError } from './record-decode-error';

export class MalformedAvroError extends RecordDecodeError {
  override readonly name = 'MalformedAvroError';
  readonly reason = 'malformed-avro';
  constructor(
    readonly schemaId: number,
    detail: string,
  ) {
    super(`Avro body does not match its writer schema (id ${schemaId}): ${detail}`);
  }
}
