import { RecordDecodeError } from './record-decode-error';

export class UnknownSchemaIdError extends RecordDecodeError {
  override readonly name = 'UnknownSchemaIdError';
  readonly reason = 'unknown-schema-id';
  constructor(readonly schemaId: number) {
    super(`schema id ${schemaId} is not known to the schema registry`);
  }
}
