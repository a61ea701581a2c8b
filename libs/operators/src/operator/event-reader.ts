import type { Aggregator } from '../aggregators/aggregator';
import { InvalidEventError } from '../errors';
import { MAX_EVENT_TIME_MS, MAX_KEY_LENGTH } from '../limits';
import { fieldReader, RECORD_KEY, RECORD_TIMESTAMP, type FieldReader } from '../pipeline/field-path';
import type { Pipeline } from '../pipeline/types';

const utf8 = new TextDecoder('utf-8', { fatal: true });

const EXPECTED_INPUT = {
  number: 'a finite number',
  primitive: 'a string, a finite number or a boolean',
  any: 'any value',
} as const;

function accepts(kind: Aggregator['input'], value: unknown): boolean {
  switch (kind) {
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'primitive':
      return (
        typeof value === 'string' ||
        typeof value === 'boolean' ||
        (typeof value === 'number' && Number.isFinite(value))
      );
    case 'any':
      return true;
  }
}

/**
 * Reads a pipeline's key, time and aggregation inputs from an event and validates them all before the
 * operator touches any state. Inputs go into one reused array: no allocation per event.
 */
export class EventReader {
  private readonly inputs: unknown[];
  private readonly kinds: Aggregator['input'][];
  /** undefined when the key is the Kafka record key ($key) */
  private readonly keyOf: FieldReader | undefined;
  /** undefined when the time is the Kafka record timestamp ($timestamp) */
  private readonly timeOf: FieldReader | undefined;
  /** The distinct fields (paths) the aggregations read, each read once per event into `values`. */
  private readonly distinctFields: string[];
  private readonly fieldReaders: FieldReader[];
  private readonly values: unknown[];
  /** Per aggregation: index into `distinctFields`, or -1 for the whole event (no field). */
  private readonly sources: Int32Array;
  /** Per aggregation: 0 when an earlier one reads the same field with the same input kind (checked once). */
  private readonly checks: Uint8Array;

  constructor(
    private readonly pipeline: Pipeline,
    aggregators: readonly Aggregator[],
  ) {
    this.keyOf = pipeline.key === RECORD_KEY ? undefined : fieldReader(pipeline.key);
    this.timeOf = pipeline.time === RECORD_TIMESTAMP ? undefined : fieldReader(pipeline.time);
    const fields = pipeline.aggregations.map((a) => a.field);
    this.kinds = aggregators.map((a) => a.input);
    this.inputs = new Array<unknown>(aggregators.length).fill(undefined);
    this.distinctFields = [...new Set(fields.filter((f) => f !== undefined))];
    this.fieldReaders = this.distinctFields.map(fieldReader);
    this.values = new Array<unknown>(this.distinctFields.length).fill(undefined);
    this.sources = Int32Array.from(fields, (f) => (f === undefined ? -1 : this.distinctFields.indexOf(f)));
    this.checks = Uint8Array.from(fields, (f, i) =>
      fields.slice(0, i).some((g, j) => g === f && this.kinds[j] === this.kinds[i]) ? 0 : 1,
    );
  }

  /**
   * Numeric keys are stringified so that `7` and `"7"` are one key, as they are in the result rows. With
   * `$key`, the Kafka record key's bytes are the key, read as UTF-8 (a string given by a caller that has
   * already decoded it is taken as it is).
   */
  key(event: object, recordKey?: string | Uint8Array | null): string {
    const key = this.keyOf === undefined ? recordKeyText(recordKey) : this.keyOf(event);
    if (typeof key === 'string') {
      if (key.length <= MAX_KEY_LENGTH) return key;
      throw new InvalidEventError(
        this.pipeline.name,
        this.pipeline.key,
        `a key of at most ${MAX_KEY_LENGTH} characters (it is stored in every result row; this one has ${key.length})`,
        key,
      );
    }
    if (typeof key === 'number' && Number.isFinite(key)) return String(key);
    throw new InvalidEventError(
      this.pipeline.name,
      this.pipeline.key,
      this.keyOf === undefined ? 'a Kafka record key of UTF-8 text' : 'a string or a finite number',
      key,
    );
  }

  /**
   * Integers within MAX_EVENT_TIME_MS only: see limits.ts for what a time like 1e300 did before. With
   * `$timestamp`, the Kafka record timestamp is the event time.
   */
  time(event: object, recordTimestamp?: number): number {
    const time = this.timeOf === undefined ? recordTimestamp : this.timeOf(event);
    if (Number.isSafeInteger(time) && Math.abs(time as number) <= MAX_EVENT_TIME_MS) return time as number;
    throw new InvalidEventError(
      this.pipeline.name,
      this.pipeline.time,
      `epoch milliseconds (an integer from -${MAX_EVENT_TIME_MS} to ${MAX_EVENT_TIME_MS})`,
      time,
    );
  }

  /**
   * One input per aggregation: the field's value, the whole event when there is no field (count), or
   * undefined when the field is null or missing, which aggregations skip as SQL skips NULL.
   */
  readInputs(event: object): readonly unknown[] {
    const { distinctFields, fieldReaders, values, sources, inputs } = this;
    for (let j = 0; j < fieldReaders.length; j++) values[j] = fieldReaders[j]!(event);
    for (let i = 0; i < sources.length; i++) {
      const source = sources[i]!;
      if (source < 0) {
        inputs[i] = event;
        continue;
      }
      const value = values[source];
      if (value === undefined || value === null) inputs[i] = undefined;
      else if (this.checks[i] === 0 || accepts(this.kinds[i]!, value)) inputs[i] = value;
      else {
        const field = distinctFields[source]!;
        throw new InvalidEventError(this.pipeline.name, field, EXPECTED_INPUT[this.kinds[i]!], value);
      }
    }
    return inputs;
  }
}

/** A record key as text; undefined for a missing key or bytes that are not UTF-8 (both refused by key()). */
function recordKeyText(recordKey: string | Uint8Array | null | undefined): string | undefined {
  if (recordKey === null || recordKey === undefined || typeof recordKey === 'string')
    return recordKey ?? undefined;
  try {
    return utf8.decode(recordKey);
  } catch {
    return undefined;
  }
}
