/**
 * Why a record could not be decoded. These are properties of the record itself, so retrying cannot help:
 * the record goes to the dead-letter queue with the error's name and message. Anything else (registry
 * down, network) is not a RecordDecodeError and must make the consumer retry instead.
 */
export abstract class RecordDecodeError extends Error {
  abstract readonly reason: string;
}

export class NullValueError extends RecordDecodeError {
  override readonly name = 'NullValueError';
  readonly reason = 'null-value';
  constructor() {
    super('record has a null value (tombstone); an event is expected');
  }
}

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

export class TruncatedRecordError extends RecordDecodeError {
  override readonly name = 'TruncatedRecordError';
  readonly reason = 'truncated-header';
  constructor(readonly bytes: number) {
    super(
      `record value is ${bytes} bytes, shorter than the 5-byte Confluent header (magic byte + schema id)`,
    );
  }
}

export class WrongMagicByteError extends RecordDecodeError {
  override readonly name = 'WrongMagicByteError';
  readonly reason = 'wrong-magic-byte';
  constructor(readonly magicByte: number) {
    super(`record starts with byte ${magicByte}, not the Confluent wire format's magic byte 0`);
  }
}

export class UnknownSchemaIdError extends RecordDecodeError {
  override readonly name = 'UnknownSchemaIdError';
  readonly reason = 'unknown-schema-id';
  constructor(readonly schemaId: number) {
    super(`schema id ${schemaId} is not known to the schema registry`);
  }
}

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

export class InvalidEventError extends RecordDecodeError {
  override readonly name = 'InvalidEventError';
  readonly reason = 'invalid-event';
  constructor(
    readonly field: string,
    problem: string,
  ) {
    super(`decoded event is invalid: ${field}: ${problem}`);
  }
}
