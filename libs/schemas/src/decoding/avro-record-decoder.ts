import type { Type } from 'avsc';
import type { SchemaRegistryClient } from '../registry/schema-registry-client';
import { RegistryNotReadyError } from '../registry/errors';
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
import { compileBodyScan, type BodyScan } from './bounded-body-scan';
import { EPOCH_MILLIS_LOGICAL_TYPES } from './timestamp-types';
import avro from 'avsc';

const HEADER_BYTES = 5;
const DEFAULT_MAX_RECORD_BYTES = 64 * 1024;
const DEFAULT_UNKNOWN_ID_RECHECK_MS = 10_000;
/** unknown-id verdicts kept at most (ids come from record bytes, so a flood of random ids must not grow memory) */
const MAX_UNKNOWN_IDS = 1024;

export interface DecodedRecord<T> {
  value: T;
  schemaId: number;
}

/** What the decoder needs from the registry (SchemaRegistryClient; tests pass a fake). */
export type WriterSchemaRegistry = Pick<
  SchemaRegistryClient,
  'url' | 'writerType' | 'subjectsOfId' | 'subjectVersions'
>;

export interface AvroRecordDecoderOptions<T> {
  /** the newest schema this code knows: records of every older compatible version are read into it */
  readerSchema: AvroRecordSchema;
  /**
   * The subject writers must be registered under (TopicNameStrategy: <topic>-value). A writer id registered
   * only under other subjects is refused, and an unknown or refused id is poison only when the registry has
   * versions of this subject (otherwise it is not ready, and the batch is retried).
   */
  subject: string;
  /**
   * Also accept a writer registered only under other subjects when its schema resolves, by Avro's rules, to
   * the reader schema (a producer with another subject naming strategy). Off: such a writer is refused.
   */
  acceptResolvable?: boolean;
  /** records larger than this go to the dead-letter queue rather than into memory */
  maxRecordBytes?: number;
  /**
   * Array and map items one record may hold (all blocks together); default maxRecordBytes. Items of non-zero
   * size are bounded by the body's bytes anyway; this bounds zero-size ones (null, empty records).
   */
  maxItems?: number;
  /** how long an unknown schema id is answered from memory before the registry is asked again */
  unknownIdRecheckMs?: number;
  /** semantic checks after decoding; throws UserEventValidationError */
  validate?: (value: T) => void;
}

interface Reader<T> {
  read(body: Buffer): T;
}

/**
 * Decodes Confluent wire-format Avro (magic byte 0, 4-byte big-endian schema id, Avro body) into the reader
 * schema. The writer schema comes from the registry once per id and the writer→reader resolver is built once
 * per id, so the per-record cost is only the Avro decode (plus a bounds scan for writers with arrays or maps).
 *
 * What is remembered per id: a reader, or an IncompatibleWriterSchemaError (a property of the id: refused
 * once, when first seen). An unknown id is remembered only briefly, since the registry may just be catching
 * up; registry failures are not remembered at all.
 */
export class AvroRecordDecoder<T> {
  private readonly readerType: Type;
  private readonly readers = new Map<number, Promise<Reader<T>>>();
  private readonly unknownIds = new Map<number, { error: UnknownSchemaIdError; until: number }>();
  private readonly maxRecordBytes: number;
  private readonly maxItems: number;
  private readonly unknownIdRecheckMs: number;

  constructor(
    private readonly registry: WriterSchemaRegistry,
    private readonly options: AvroRecordDecoderOptions<T>,
  ) {
    // timestamp logical types read as epoch milliseconds, the unit of every event time (timestamp-types.ts)
    this.readerType = avro.Type.forSchema(options.readerSchema as avro.Schema, {
      logicalTypes: EPOCH_MILLIS_LOGICAL_TYPES,
    });
    this.maxRecordBytes = options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
    this.maxItems = options.maxItems ?? this.maxRecordBytes;
    this.unknownIdRecheckMs = options.unknownIdRecheckMs ?? DEFAULT_UNKNOWN_ID_RECHECK_MS;
  }

  async decode(message: Buffer | null): Promise<DecodedRecord<T>> {
    if (message === null) throw new NullValueError();
    if (message.length > this.maxRecordBytes)
      throw new OversizeRecordError(message.length, this.maxRecordBytes);
    if (message.length < HEADER_BYTES) throw new TruncatedRecordError(message.length);
    if (message[0] !== 0) throw new WrongMagicByteError(message[0]!);
    const schemaId = message.readInt32BE(1);
    const reader = await (this.readers.get(schemaId) ?? this.readerFor(schemaId));
    const value = reader.read(message.subarray(HEADER_BYTES));
    this.options.validate?.(value);
    return { value, schemaId };
  }

  private readerFor(schemaId: number): Promise<Reader<T>> {
    const unknown = this.unknownIds.get(schemaId);
    if (unknown && unknown.until > Date.now()) return Promise.reject(unknown.error);
    this.unknownIds.delete(schemaId);
    const reader = this.buildReader(schemaId);
    this.readers.set(schemaId, reader);
    reader.catch((error: unknown) => {
      if (error instanceof IncompatibleWriterSchemaError) return;
      this.readers.delete(schemaId);
      if (error instanceof UnknownSchemaIdError) {
        if (this.unknownIds.size >= MAX_UNKNOWN_IDS) this.unknownIds.clear();
        this.unknownIds.set(schemaId, { error, until: Date.now() + this.unknownIdRecheckMs });
      }
    });
    return reader;
  }

  private async buildReader(schemaId: number): Promise<Reader<T>> {
    const writerType = await this.registry.writerType(schemaId);
    if (!writerType) {
      await this.assertRegistryVouches(schemaId, 'is not known to the registry');
      throw new UnknownSchemaIdError(schemaId);
    }
    const subjects = await this.registry.subjectsOfId(schemaId);
    const foreign = subjects !== null && !subjects.includes(this.options.subject);
    const where = subjects?.length ? `subject(s) ${subjects.join(', ')}` : 'no subject';
    if (foreign && !this.options.acceptResolvable) {
      await this.assertRegistryVouches(schemaId, `is registered under ${where}`);
      throw new IncompatibleWriterSchemaError(
        schemaId,
        `it is registered under ${where}, not under ${this.options.subject}`,
      );
    }
    let resolver: avro.Resolver | undefined;
    let scan: BodyScan | undefined;
    try {
      if (!this.readerType.equals(writerType)) resolver = this.readerType.createResolver(writerType);
      scan = compileBodyScan(writerType, schemaId, this.maxItems);
    } catch (error) {
      await this.assertRegistryVouches(schemaId, 'cannot be read as the expected record');
      const detail = (error as Error).message;
      throw new IncompatibleWriterSchemaError(
        schemaId,
        foreign
          ? `it is registered under ${where}, not under ${this.options.subject}, and does not resolve to ${this.options.subject}'s reader schema (${detail})`
          : detail,
      );
    }
    const readerType = this.readerType;
    return {
      read(body: Buffer): T {
        scan?.(body);
        try {
          return readerType.fromBuffer(body, resolver) as T;
        } catch (error) {
          throw new MalformedAvroError(schemaId, (error as Error).message);
        }
      },
    };
  }

  /**
   * A verdict that dead-letters records (unknown id, foreign or unreadable writer) is only trusted when the
   * registry demonstrably holds the reader's subject. An empty registry (restarted in memory, contracts not
   * registered again yet) or a URL that is not the registry would otherwise send every good record to the DLQ
   * and commit it: silent data loss. RegistryNotReadyError is not poison, so the batch is retried instead.
   */
  private async assertRegistryVouches(schemaId: number, verdict: string): Promise<void> {
    const versions = await this.registry.subjectVersions(this.options.subject);
    if (!versions || versions.length === 0) {
      throw new RegistryNotReadyError(this.registry.url, this.options.subject, schemaId, verdict);
    }
  }
}
