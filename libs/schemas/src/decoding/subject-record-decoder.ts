import avro from 'avsc';
import type { SchemaRegistryClient } from '../registry/schema-registry-client';
import { RegistryNotReadyError } from '../registry/errors';
import type { AvroRecordSchema } from '../user-event';
import { AvroRecordDecoder, type DecodedRecord, type WriterSchemaRegistry } from './avro-record-decoder';
import { EPOCH_MILLIS_LOGICAL_TYPES } from './timestamp-types';

/** What the decoder needs from the registry: the writer lookups, and the subject's latest version. */
export type SubjectRegistry = WriterSchemaRegistry & Pick<SchemaRegistryClient, 'latestSchema'>;

/** A version of the subject, as the reader of every record. */
export interface SubjectReader {
  readonly subject: string;
  readonly version: number;
  readonly schemaId: number;
  readonly schema: AvroRecordSchema;
  /** the schema as avsc reads it: timestamp logical types as epoch milliseconds */
  readonly type: avro.Type;
}

export interface SubjectRecordDecoderOptions {
  /** the subject whose versions the records are read as (TopicNameStrategy: `<topic>-value`) */
  subject: string;
  maxRecordBytes?: number;
  maxItems?: number;
  unknownIdRecheckMs?: number;
  /**
   * Checks the reader before any record is decoded with it (a pipeline's paths against the schema); what it
   * throws is thrown by decode() and the reader is looked up again next time, so it is never poison.
   */
  checkReader?: (reader: SubjectReader) => void;
}

interface Loaded {
  readonly reader: SubjectReader;
  readonly decoder: AvroRecordDecoder<object>;
}

/**
 * Decodes records of any record type, as a generic record: the reader schema is the subject's latest
 * version, looked up once (the first decode, or reader()). Writers registered under the subject, or whose
 * schema resolves to that version by Avro's rules, are read into it; others are refused as
 * IncompatibleWriterSchemaError, once per schema id. While the subject has no versions, decode() throws
 * RegistryNotReadyError, which is a retry and not poison.
 */
export class SubjectRecordDecoder {
  private loading: Promise<Loaded> | undefined;
  private loaded: Loaded | undefined;

  constructor(
    private readonly registry: SubjectRegistry,
    private readonly options: SubjectRecordDecoderOptions,
  ) {}

  get subject(): string {
    return this.options.subject;
  }

  /** The reader version, or null while the subject has no versions (nothing is remembered then). */
  async reader(): Promise<SubjectReader | null> {
    try {
      return (await this.ready()).reader;
    } catch (error) {
      if (error instanceof RegistryNotReadyError) return null;
      throw error;
    }
  }

  async decode(message: Buffer | null): Promise<DecodedRecord<object>> {
    // once loaded, each record costs only the decode (no lookup, no extra promise)
    if (this.loaded) return this.loaded.decoder.decode(message);
    // the id only names the record in a not-ready message; the decoder checks the header itself
    const schemaId = message !== null && message.length >= 5 ? message.readInt32BE(1) : 0;
    const { decoder } = await this.ready(schemaId);
    return decoder.decode(message);
  }

  private ready(schemaId = 0): Promise<Loaded> {
    if (this.loading === undefined) {
      const loading = this.load(schemaId);
      this.loading = loading;
      loading.then(
        (loaded) => (this.loaded = loaded),
        // not remembered: the subject may get its first version, the check may pass after a fix
        () => {
          if (this.loading === loading) this.loading = undefined;
        },
      );
    }
    return this.loading;
  }

  private async load(schemaId: number): Promise<Loaded> {
    const { subject } = this.options;
    const latest = await this.registry.latestSchema(subject);
    if (latest === null) {
      throw new RegistryNotReadyError(this.registry.url, subject, schemaId, 'cannot be read yet');
    }
    const reader: SubjectReader = {
      subject,
      version: latest.version,
      schemaId: latest.id,
      schema: latest.schema,
      type: avro.Type.forSchema(latest.schema as avro.Schema, { logicalTypes: EPOCH_MILLIS_LOGICAL_TYPES }),
    };
    this.options.checkReader?.(reader);
    const decoder = new AvroRecordDecoder<object>(this.registry, {
      readerSchema: latest.schema,
      subject,
      acceptResolvable: true,
      maxRecordBytes: this.options.maxRecordBytes,
      maxItems: this.options.maxItems,
      unknownIdRecheckMs: this.options.unknownIdRecheckMs,
    });
    return { reader, decoder };
  }
}
