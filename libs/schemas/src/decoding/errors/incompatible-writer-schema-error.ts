import { RecordDecodeError } from './record-decode-error';

export class IncompatibleWriterSchemaError extends RecordDecodeError {
  override readonly name = 'IncompatibleWriterSchemaError';
  readonly reason = 'incompatible-writer-schema';
  constructor(
    readonly schemaId: number,
    detail: string,
  ) {
    super(
      `record was written with schema id ${schemaId}, which cannot be read as the expected record: ${detail}`,
    );
  }
}
