import type { Type } from 'avsc';
import type { SchemaRegistryClient } from '../registry/schema-registry-client';
import {
  IncompatibleWriterSchemaError,
  MalformedAvroError,
  NullValueError,
  OversizeRecordError,
  TruncatedRecordError,
  UnknownSchemaIdError,
  WrongMagicByteError,
} from './errors';
import type { AvroRecordSchema } from '../user-event';
import avro from 'avsc';

const HEADER_BYTES = 5;

export interface DecodedRecord<T> {
  value: T;
  schemaId: number;
}

export interface AvroRecordDecoderOptions<T> {
  /** the newest schema this code knows: records of every older compatible version are read into it */
  readerSchema: AvroRecordSchema;
  /** records larger than this go to the dead-letter queue rather than into memory */
  maxRecordBytes?: number;
  /** semantic checks after decoding; throws UserEventValidationError */
  validate?: (value: T) => void;
}

/**
 * Decodes Confluent wire-format Avro (magic byte 0, 4-byte big-endian schema id, Avro body) into the reader
 * schema. The writer schema comes from the registry once per id (the registry client caches it) and the
 * writer→reader resolver is built once per id, so the per-record cost is only the Avro decode.
 */
export class AvroRecordDecoder<T> {
  private readonly readerType: Type;
  private readonly resolvers = new Map<number, Promise<{ read: (body: Buffer) => T }>>();
  private readonly maxRecordBytes: number;

  constructor(
    private readonly registry: SchemaRegistryClient,
    private readonly options: AvroRecordDecoderOptions<T>,
  ) {
    this.readerType = avro.Type.forSchema(options.readerSchema as avro.Schema);
    this.maxRecordBytes = options.maxRecordBytes ?? 64 * 1024;
  }

  async decode(message: Buffer | null): Promise<DecodedRecord<T>> {
    if (message === null) throw new NullValueError();
    if (message.length > this.maxRecordBytes)
      throw new OversizeRecordError(message.length, this.maxRecordBytes);
    if (message.length < HEADER_BYTES) throw new TruncatedRecordError(message.length);
    if (message[0] !== 0) throw new WrongMagicByteError(message[0]!);
    const schemaId = message.readInt32BE(1);
    const reader = await this.readerFor(schemaId);
    const value = reader.read(message.subarray(HEADER_BYTES));
    this.options.validate?.(value);
    return { value, schemaId };
  }

  private readerFor(schemaId: number): Promise<{ read: (body: Buffer) => T }> {
    let reader = this.resolvers.get(schemaId);
    if (!reader) {
      reader = this.buildReader(schemaId);
      this.resolvers.set(schemaId, reader);
      // a transient registry failure must not be cached; a missing id is cached (it stays missing)
      reader.catch((error: unknown) => {
        if (!(error instanceof UnknownSchemaIdError)) this.resolvers.delete(schemaId);
      });
    }
    return reader;
  }

  private async buildReader(schemaId: number): Promise<{ read: (body: Buffer) => T }> {
    const writerType = await this.registry.writerType(schemaId);
    if (!writerType) throw new UnknownSchemaIdError(schemaId);
    let resolver: avro.Resolver | undefined;
    if (!this.readerType.equals(writerType)) {
      try {
        resolver = this.readerType.createResolver(writerType);
      } catch (error) {
        throw new IncompatibleWriterSchemaError(schemaId, (error as Error).message);
      }
    }
    const readerType = this.readerType;
    return {
      read(body: Buffer): T {
        try {
          return readerType.fromBuffer(body, resolver) as T;
        } catch (error) {
          throw new MalformedAvroError(schemaId, (error as Error).message);
        }
      },
    };
  }
}
