import avro from 'avsc';
import {
  loadAvsc,
  type AvroField,
  type AvroRecordSchema,
  type UserEvent,
  type WriterSchemaRegistry,
} from '@lk/schemas';

/** Hand-made Avro for hostile bodies: an Avro long is a zigzag varint (0→0, -1→1, 1→2, -2→3, ...). */
export function avroLong(value: bigint): Buffer {
  let zigzag = value >= 0n ? value << 1n : (-value << 1n) - 1n;
  const bytes: number[] = [];
  do {
    let byte = Number(zigzag & 0x7fn);
    zigzag >>= 7n;
    if (zigzag > 0n) byte |= 0x80;
    bytes.push(byte);
  } while (zigzag > 0n);
  return Buffer.from(bytes);
}

export function wireHeader(schemaId: number): Buffer {
  const header = Buffer.alloc(5);
  header.writeInt32BE(schemaId, 1);
  return header;
}

export const v2Schema = loadAvsc('user-event.v2.avsc');
export const v2Type = avro.Type.forSchema(v2Schema as avro.Schema);

export const sampleEvent: UserEvent = {
  event_id: 'evt-hostile',
  user_id: 'user-0001',
  event_type: 'click',
  amount: 12.5,
  ts: 1_700_000_000_000,
  country: null,
};

/** UserEvent v2 plus extra fields: the reader ignores them, so avsc's resolver skips them (and loops). */
export function userEventWith(...extra: AvroField[]): AvroRecordSchema {
  return { ...v2Schema, fields: [...v2Schema.fields, ...extra] };
}

/** The Avro body of sampleEvent as v2 writes it: a writer with extra trailing fields continues after it. */
export const sampleEventBody = v2Type.toBuffer(sampleEvent);

/** A registry in memory: ids → schemas, ids → subjects, subject → versions; counts the lookups. */
export class FakeRegistry implements WriterSchemaRegistry {
  readonly url = 'http://fake-registry';
  readonly schemas = new Map<number, AvroRecordSchema>();
  readonly subjectsById = new Map<number, string[]>();
  readonly versionsBySubject = new Map<string, number[]>();
  readonly latestBySubject = new Map<string, { version: number; id: number; schema: AvroRecordSchema }>();
  writerTypeCalls = 0;

  add(id: number, schema: AvroRecordSchema, subject = 'user-events-value'): this {
    this.schemas.set(id, schema);
    this.subjectsById.set(id, [...(this.subjectsById.get(id) ?? []), subject]);
    const versions = this.versionsBySubject.get(subject) ?? [];
    this.versionsBySubject.set(subject, [...versions, versions.length + 1]);
    this.latestBySubject.set(subject, { version: versions.length + 1, id, schema });
    return this;
  }

  async latestSchema(
    subject: string,
  ): Promise<{ version: number; id: number; schema: AvroRecordSchema } | null> {
    return this.latestBySubject.get(subject) ?? null;
  }

  async writerType(schemaId: number): Promise<avro.Type | null> {
    this.writerTypeCalls++;
    const schema = this.schemas.get(schemaId);
    return schema ? avro.Type.forSchema(schema as avro.Schema) : null;
  }

  async subjectsOfId(schemaId: number): Promise<string[] | null> {
    return this.subjectsById.get(schemaId) ?? null;
  }

  async subjectVersions(subject: string): Promise<number[] | null> {
    return this.versionsBySubject.get(subject) ?? null;
  }
}
