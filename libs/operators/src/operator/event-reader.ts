import type { Aggregator } from '../aggregators/aggregator';
import { InvalidEventError } from '../errors';
import type { Pipeline } from '../pipeline/types';

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
  private readonly fields: (string | undefined)[];
  private readonly kinds: Aggregator['input'][];

  constructor(
    private readonly pipeline: Pipeline,
    aggregators: readonly Aggregator[],
  ) {
    this.fields = pipeline.aggregations.map((a) => a.field);
    this.kinds = aggregators.map((a) => a.input);
    this.inputs = new Array<unknown>(aggregators.length).fill(undefined);
  }

  /** Numeric keys are stringified so that `7` and `"7"` are one key, as they are in the result rows. */
  key(event: object): string {
    const key = (event as Record<string, unknown>)[this.pipeline.key];
    if (typeof key === 'string') return key;
    if (typeof key === 'number' && Number.isFinite(key)) return String(key);
    throw new InvalidEventError(this.pipeline.name, this.pipeline.key, 'a string or a finite number', key);
  }

  time(event: object): number {
    const time = (event as Record<string, unknown>)[this.pipeline.time];
    if (typeof time === 'number' && Number.isFinite(time)) return time;
    throw new InvalidEventError(
      this.pipeline.name,
      this.pipeline.time,
      'epoch milliseconds (a finite number)',
      time,
    );
  }

  /**
   * One input per aggregation: the field's value, the whole event when there is no field (count), or
   * undefined when the field is null or missing, which aggregations skip as SQL skips NULL.
   */
  readInputs(event: object): readonly unknown[] {
    for (let i = 0; i < this.fields.length; i++) {
      const field = this.fields[i];
      if (field === undefined) {
        this.inputs[i] = event;
        continue;
      }
      const value = (event as Record<string, unknown>)[field];
      if (value === undefined || value === null) this.inputs[i] = undefined;
      else if (accepts(this.kinds[i]!, value)) this.inputs[i] = value;
      else throw new InvalidEventError(this.pipeline.name, field, EXPECTED_INPUT[this.kinds[i]!], value);
    }
    return this.inputs;
  }
}
