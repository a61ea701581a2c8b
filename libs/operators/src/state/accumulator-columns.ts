import type { Aggregator, JsonValue } from '../aggregators/aggregator';
import { numericOpOf, OP_COUNT, OP_MAX, OP_MIN, OP_SUM, type NumericOp } from '../aggregators/numeric-ops';
import { growFloat64 } from './growable';

/** JSON has no Infinity/NaN, yet min/max accumulators start at ±Infinity. */
export function encodeNumber(value: number): number | string {
  return Number.isFinite(value) ? value : String(value);
}

export function decodeNumber(json: JsonValue): number {
  return typeof json === 'string' ? Number(json) : (json as number);
}

/**
 * The accumulators of all open windows of a partition, one column per aggregation: numeric accumulators in a
 * Float64Array (8 bytes per window, no allocation), others in a plain array.
 */
export class AccumulatorColumns {
  private readonly numeric: (Float64Array | undefined)[];
  private readonly objects: (unknown[] | undefined)[];
  private readonly initial: number[];
  /** Built-in numeric aggregators are applied inline (see numeric-ops); 0 = call `add`. */
  private readonly ops: NumericOp[];

  constructor(private readonly aggregators: readonly Aggregator[]) {
    this.ops = aggregators.map((a) => (a.accumulator === 'number' ? numericOpOf(a) : 0));
    this.numeric = aggregators.map((a) => (a.accumulator === 'number' ? new Float64Array(0) : undefined));
    this.objects = aggregators.map((a) => (a.accumulator === 'number' ? undefined : []));
    this.initial = aggregators.map((a) => (a.accumulator === 'number' ? (a.create() as number) : 0));
  }

  grow(capacity: number): void {
    for (let i = 0; i < this.numeric.length; i++) {
      const column = this.numeric[i];
      if (column !== undefined) this.numeric[i] = growFloat64(column, capacity);
    }
  }

  init(slot: number): void {
    for (let i = 0; i < this.aggregators.length; i++) {
      const column = this.numeric[i];
      if (column !== undefined) column[slot] = this.initial[i]!;
      else this.objects[i]![slot] = this.aggregators[i]!.create();
    }
  }

  /** `inputs[i]` undefined means the event has no value for aggregation i (SQL NULL): nothing to add. */
  add(slot: number, inputs: readonly unknown[]): void {
    for (let i = 0; i < this.aggregators.length; i++) {
      const input = inputs[i];
      if (input === undefined) continue;
      const column = this.numeric[i];
      if (column !== undefined) {
        // Exactly what the built-ins' `add` computes (inputs of sum/min/max are validated numbers).
        switch (this.ops[i]) {
          case OP_COUNT:
            column[slot] = column[slot]! + 1;
            break;
          case OP_SUM:
            column[slot] = column[slot]! + (input as number);
            break;
          case OP_MIN:
            if ((input as number) < column[slot]!) column[slot] = input as number;
            break;
          case OP_MAX:
            if ((input as number) > column[slot]!) column[slot] = input as number;
            break;
          default:
            column[slot] = this.aggregators[i]!.add(column[slot], input) as number;
        }
      } else {
        const objects = this.objects[i]!;
        objects[slot] = this.aggregators[i]!.add(objects[slot], input);
      }
    }
  }

  mergeInto(target: number, source: number): void {
    for (let i = 0; i < this.aggregators.length; i++) {
      const column = this.numeric[i];
      if (column !== undefined)
        column[target] = this.aggregators[i]!.merge(column[target], column[source]) as number;
      else {
        const objects = this.objects[i]!;
        objects[target] = this.aggregators[i]!.merge(objects[target], objects[source]);
      }
    }
  }

  /** Drops object accumulators of a freed slot so they can be collected. */
  release(slot: number): void {
    for (const objects of this.objects) if (objects !== undefined) objects[slot] = undefined;
  }

  result(slot: number, i: number): number | null {
    const column = this.numeric[i];
    return this.aggregators[i]!.result(column !== undefined ? column[slot] : this.objects[i]![slot]);
  }

  toJSON(slot: number): JsonValue[] {
    return this.aggregators.map((aggregator, i) => {
      const column = this.numeric[i];
      if (column !== undefined) return encodeNumber(column[slot]!);
      const acc = this.objects[i]![slot];
      return aggregator.toJSON !== undefined ? aggregator.toJSON(acc) : (acc as JsonValue);
    });
  }

  fromJSON(slot: number, json: readonly JsonValue[]): void {
    this.aggregators.forEach((aggregator, i) => {
      const value = json[i] ?? null;
      const column = this.numeric[i];
      if (column !== undefined) column[slot] = decodeNumber(value);
      else this.objects[i]![slot] = aggregator.fromJSON !== undefined ? aggregator.fromJSON(value) : value;
    });
  }
}
