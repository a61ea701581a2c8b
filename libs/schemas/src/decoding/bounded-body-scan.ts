import type { Type } from 'avsc';
import { AvroItemLimitError, AvroLengthExceedsBodyError, MalformedAvroError } from './errors';

/**
 * Checks, before avsc touches a body, that every length and count in it fits: walks the *writer* schema over
 * the bytes without building values. avsc trusts counts: an array block claiming 2^52 items makes its reader
 * (or the resolver skipping a field the reader lacks) loop 2^52 times, and a negative string length inside an
 * array moves the read position backwards, so the same block is read again forever. After this scan every
 * loop avsc runs is bounded by the body's bytes or by maxItems.
 *
 * Only writer schemas with arrays or maps need it (without them avsc does a fixed number of reads per record,
 * and fromBuffer already refuses a body that is too short or too long), so compileBodyScan returns undefined
 * for those and the common path pays nothing.
 */
export type BodyScan = (body: Buffer) => void;

interface Cursor {
  readonly body: Buffer;
  pos: number;
  items: number;
}

type Step = (cursor: Cursor) => void;

/** avsc types as this walk sees them (the registry library has its own avsc copy, so no instanceof) */
interface AvscType {
  typeName: string;
  fields?: { type: AvscType }[];
  itemsType?: AvscType;
  valuesType?: AvscType;
  types?: AvscType[];
  size?: number;
  underlyingType?: AvscType;
}

export function compileBodyScan(writerType: Type, schemaId: number, maxItems: number): BodyScan | undefined {
  const root = writerType as unknown as AvscType;
  if (!hasCollections(root, new Set())) return undefined;
  const step = new ScanCompiler(schemaId, maxItems).compile(root);
  return (body) => {
    const cursor: Cursor = { body, pos: 0, items: 0 };
    step(cursor);
  };
}

function hasCollections(type: AvscType, seen: Set<AvscType>): boolean {
  if (seen.has(type)) return false;
  seen.add(type);
  switch (baseName(type)) {
    case 'array':
    case 'map':
      return true;
    case 'record':
    case 'error':
      return type.fields!.some((field) => hasCollections(field.type, seen));
    case 'union':
      return type.types!.some((branch) => hasCollections(branch, seen));
    case 'logical':
      return hasCollections(type.underlyingType!, seen);
    default:
      return false;
  }
}

/** 'union:wrapped' → 'union', 'logical:decimal' → 'logical' */
function baseName(type: AvscType): string {
  const colon = type.typeName.indexOf(':');
  return colon < 0 ? type.typeName : type.typeName.slice(0, colon);
}

class ScanCompiler {
  private readonly steps = new Map<AvscType, Step>();
  private readonly minSizes = new Map<AvscType, number>();

  constructor(
    private readonly schemaId: number,
    private readonly maxItems: number,
  ) {}

  compile(type: AvscType): Step {
    const known = this.steps.get(type);
    if (known) return known;
    // recursive records refer to themselves: register an indirection before compiling the fields
    const indirect: Step = (cursor) => compiled(cursor);
    this.steps.set(type, indirect);
    const compiled = this.compileNew(type);
    this.steps.set(type, compiled);
    return compiled;
  }

  private compileNew(type: AvscType): Step {
    const schemaId = this.schemaId;
    switch (baseName(type)) {
      case 'null':
        return () => {};
      case 'boolean':
        return (cursor) => this.skip(cursor, 1, 'a boolean');
      case 'int':
      case 'long':
      case 'enum':
        return (cursor) => void readLong(cursor, schemaId);
      case 'float':
        return (cursor) => this.skip(cursor, 4, 'a float');
      case 'double':
        return (cursor) => this.skip(cursor, 8, 'a double');
      case 'fixed': {
        const size = type.size!;
        return (cursor) => this.skip(cursor, size, 'a fixed');
      }
      case 'string':
      case 'bytes': {
        const what = `a ${type.typeName} length`;
        return (cursor) => this.skip(cursor, readLong(cursor, schemaId), what);
      }
      case 'record':
      case 'error': {
        const fields = type.fields!.map((field) => this.compile(field.type));
        return (cursor) => {
          for (const field of fields) field(cursor);
        };
      }
      case 'union': {
        const branches = type.types!.map((branch) => this.compile(branch));
        return (cursor) => {
          const index = readLong(cursor, schemaId);
          const branch = branches[index];
          if (!branch) throw new MalformedAvroError(schemaId, `union branch index ${index} does not exist`);
          branch(cursor);
        };
      }
      case 'array':
        return this.blocks('an array block', this.compile(type.itemsType!), this.minSize(type.itemsType!));
      case 'map': {
        const value = this.compile(type.valuesType!);
        const readKey: Step = (cursor) => this.skip(cursor, readLong(cursor, schemaId), 'a map key length');
        const entry: Step = (cursor) => {
          readKey(cursor);
          value(cursor);
        };
        return this.blocks('a map block', entry, 1 + this.minSize(type.valuesType!));
      }
      case 'logical':
        return this.compile(type.underlyingType!);
      default:
        throw new Error(`cannot bound the decoding of Avro type ${type.typeName}`);
    }
  }

  /**
   * Array and map blocks: a count (0 ends), negative when a byte size follows. Each count is checked against
   * the bytes left (items of at least minItemBytes each) and against maxItems, before any item is walked.
   */
  private blocks(what: string, item: Step, minItemBytes: number): Step {
    const { schemaId, maxItems } = this;
    return (cursor) => {
      for (;;) {
        let count = readLong(cursor, schemaId);
        if (count === 0) return;
        let blockEnd = -1;
        let blockSize = 0;
        if (count < 0) {
          count = -count;
          const size = readLong(cursor, schemaId);
          const remaining = cursor.body.length - cursor.pos;
          if (size < 0 || size > remaining)
            throw new AvroLengthExceedsBodyError(schemaId, `${what} byte size`, size, remaining);
          blockSize = size;
          blockEnd = cursor.pos + size;
        }
        const room = (blockEnd < 0 ? cursor.body.length : blockEnd) - cursor.pos;
        if (minItemBytes > 0 && count * minItemBytes > room)
          throw new AvroLengthExceedsBodyError(schemaId, `${what} count`, count, room);
        cursor.items += count;
        if (cursor.items > maxItems) throw new AvroItemLimitError(schemaId, cursor.items, maxItems);
        for (let i = 0; i < count; i++) item(cursor);
        if (blockEnd >= 0 && cursor.pos !== blockEnd) {
          throw new MalformedAvroError(
            schemaId,
            `${what} says its items take ${blockSize} bytes, but they take ${blockSize + cursor.pos - blockEnd}`,
          );
        }
      }
    };
  }

  private skip(cursor: Cursor, bytes: number, what: string): void {
    const remaining = cursor.body.length - cursor.pos;
    if (bytes < 0 || bytes > remaining)
      throw new AvroLengthExceedsBodyError(this.schemaId, what, bytes, remaining);
    cursor.pos += bytes;
  }

  /**
   * The fewest bytes a value of the type can take. A lower bound is enough (it only loosens the count check),
   * so a recursive reference still being measured counts as 0.
   */
  private minSize(type: AvscType): number {
    const known = this.minSizes.get(type);
    if (known !== undefined) return known;
    this.minSizes.set(type, 0);
    let size: number;
    switch (baseName(type)) {
      case 'null':
        size = 0;
        break;
      case 'float':
        size = 4;
        break;
      case 'double':
        size = 8;
        break;
      case 'fixed':
        size = type.size!;
        break;
      case 'record':
      case 'error':
        size = type.fields!.reduce((sum, field) => sum + this.minSize(field.type), 0);
        break;
      case 'union':
        size = 1 + Math.min(...type.types!.map((branch) => this.minSize(branch)));
        break;
      case 'logical':
        size = this.minSize(type.underlyingType!);
        break;
      default:
        // boolean, int, long, enum, string, bytes (a length), array, map (a block count): one byte at least
        size = 1;
    }
    this.minSizes.set(type, size);
    return size;
  }
}

/**
 * An Avro long (zigzag varint, at most 10 bytes). Beyond 2^53 the magnitude is approximate, which is fine:
 * such a value is refused as a length or count anyway. The sign comes from the first byte, so it is exact.
 */
function readLong(cursor: Cursor, schemaId: number): number {
  const { body } = cursor;
  const negative = (body[cursor.pos] ?? 0) & 1;
  let value = 0;
  let factor = 1;
  for (let i = 0; ; i++) {
    if (cursor.pos >= body.length)
      throw new MalformedAvroError(schemaId, `the body ends inside a varint at byte ${cursor.pos}`);
    const byte = body[cursor.pos++]!;
    value += (byte & 0x7f) * factor;
    if ((byte & 0x80) === 0) break;
    if (i === 9)
      throw new MalformedAvroError(schemaId, `a varint at byte ${cursor.pos - 10} is longer than 10 bytes`);
    factor *= 128;
  }
  return negative ? -Math.floor(value / 2) - 1 : Math.floor(value / 2);
}
