import { MalformedJsonError, NullValueError, OversizeRecordError } from './errors';

const DEFAULT_MAX_RECORD_BYTES = 64 * 1024;
/** deep enough for any record a person designs; 10 000 nested arrays are 20 kB and refused in a scan */
const DEFAULT_MAX_DEPTH = 64;
const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

export interface JsonRecordDecoderOptions {
  /** values larger than this go to the dead-letter queue rather than into memory (default 64 KiB) */
  maxRecordBytes?: number;
  /** objects and arrays nested deeper than this are refused before parsing (default 64) */
  maxDepth?: number;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Decodes record values written as one UTF-8 JSON object each (`format: json`: no registry, no schema id).
 * Bounded before anything is built: the size first, then the nesting depth in one pass over the bytes, so a
 * value of 10 000 nested arrays costs a scan, not a parse, and nothing later (a DLQ copy, a late event
 * rendered to JSON) meets a structure deeper than the bound.
 */
export class JsonRecordDecoder {
  private readonly maxRecordBytes: number;
  private readonly maxDepth: number;

  constructor(options: JsonRecordDecoderOptions = {}) {
    this.maxRecordBytes = options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
    this.maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
  }

  decode(message: Buffer | null): Record<string, unknown> {
    if (message === null) throw new NullValueError();
    if (message.length > this.maxRecordBytes)
      throw new OversizeRecordError(message.length, this.maxRecordBytes);
    this.checkDepth(message);
    let text: string;
    try {
      text = utf8.decode(message);
    } catch {
      throw new MalformedJsonError('its bytes are not UTF-8');
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new MalformedJsonError((error as Error).message);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new MalformedJsonError(
        `it is ${value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`}`,
      );
    }
    return value as Record<string, unknown>;
  }

  /** Brackets outside strings, counted; a malformed value is left to JSON.parse to describe. */
  private checkDepth(bytes: Buffer): void {
    let depth = 0;
    let inString = false;
    for (let i = 0; i < bytes.length; i++) {
      const byte = bytes[i]!;
      if (inString) {
        if (byte === BACKSLASH) i++;
        else if (byte === QUOTE) inString = false;
      } else if (byte === QUOTE) inString = true;
      else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
        if (++depth > this.maxDepth) {
          throw new MalformedJsonError(`it nests objects or arrays deeper than ${this.maxDepth} levels`);
        }
      } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) depth--;
    }
  }
}
