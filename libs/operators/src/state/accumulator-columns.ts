import type { Aggregator, JsonValue } from '../aggregators/aggregator';
import type { AvgAccumulator } from '../aggregators/avg';
import {
  numericOpOf,
  OP_AVG,
  OP_COUNT,
  OP_MAX,
  OP_MIN,
  OP_SUM,
  type NumericOp,
} from '../aggregators/numeric-ops';

/** JSON has no Infinity/NaN, yet min/max accumulators start at ±Infinity. */
export function encodeNumber(value: number): number | string {
  return Number.isFinite(value) ? value : String(value);
}

export function decodeNumber(json: JsonValue): number {
  return typeof json === 'string' ? Number(json) : (json as number);
}

/**
 * The accumulators of a partition's open windows: numeric ones as float64 cells inside each window's
 * record (see WindowSlots: no allocation, and in the same cache lines as the window's other fields), the
 * built-in avg as two cells (sum, count) instead of an object per window, others in a plain array per
 * aggregation.
 */
export class AccumulatorColumns {
  /** Float64 cells the numeric accumulators take in a record. */
  readonly numericCells: number;
  /** Per aggregation: its cell's offset within a record, or -1 for an object accumulator. */
  private readonly cells: Int32Array;
  private readonly objects: (unknown[] | undefined)[];
  private readonly initial: number[];
  /** Built-in numeric aggregators are applied inline (see numeric-ops); 0 = call `add`. */
  private readonly ops: NumericOp[];
  private records = new Float64Array(0);
  private stride = 0;

  /** `firstCell`: where the numeric accumulators start within a record. */
  constructor(
    private readonly aggregators: readonly Aggregator[],
    firstCell: number,
  ) {
    this.ops = aggregators.map(numericOpOf);
    let cell = firstCell;
    this.cells = Int32Array.from(aggregators, (a, i) => {
      if (this.ops[i] === OP_AVG) return (cell += 2) - 2;
      return a.accumulator === 'number' ? cell++ : -1;
    });
    this.numericCells = cell - firstCell;
    this.objects = aggregators.map((_, i) => (this.cells[i]! >= 0 ? undefined : []));
    this.initial = aggregators.map((a) => (a.accumulator === 'number' ? (a.create() as number) : 0));
  }

  /** The window records were reallocated (WindowSlots grew). */
  attach(records: Float64Array<ArrayBuffer>, stride: number): void {
    this.records = records;
    this.stride = stride;
  }

  init(slot: number): void {
    const base = slot * this.stride;
    for (let i = 0; i < this.aggregators.length; i++) {
      const cell = this.cells[i]!;
      if (cell < 0) this.objects[i]![slot] = this.aggregators[i]!.create();
      else {
        this.records[base + cell] = this.initial[i]!;
        if (this.ops[i] === OP_AVG) this.records[base + cell + 1] = 0;
      }
    }
  }

  /** `inputs[i]` undefined means the event has no value for aggregation i (SQL NULL): nothing to add. */
  add(slot: number, inputs: readonly unknown[]): void {
    const { records, cells } = this;
    const base = slot * this.stride;
    for (let i = 0; i < cells.length; i++) {
      const input = inputs[i];
      if (input === undefined) continue;
      const cell = cells[i]!;
      if (cell >= 0) {
        const at = base + cell;
        // Exactly what the built-ins' `add` computes (inputs of sum/min/max are validated numbers).
        switch (this.ops[i]) {
          case OP_COUNT:
            records[at] = records[at]! + 1;
            break;
          case OP_SUM:
            records[at] = records[at]! + (input as number);
            break;
          case OP_MIN:
            if ((input as number) < records[at]!) records[at] = input as number;
            break;
          case OP_MAX:
            if ((input as number) > records[at]!) records[at] = input as number;
            break;
          case OP_AVG:
            records[at] = records[at]! + (input as number);
            records[at + 1] = records[at + 1]! + 1;
            break;
          default:
            records[at] = this.aggregators[i]!.add(records[at], input) as number;
        }
      } else {
        const objects = this.objects[i]!;
        objects[slot] = this.aggregators[i]!.add(objects[slot], input);
      }
    }
  }

  mergeInto(target: number, source: number): void {
    const { records } = this;
    for (let i = 0; i < this.aggregators.length; i++) {
      const cell = this.cells[i]!;
      if (cell >= 0) {
        const at = target * this.stride + cell;
        const from = source * this.stride + cell;
        if (this.ops[i] === OP_AVG) {
          records[at] = records[at]! + records[from]!;
          records[at + 1] = records[at + 1]! + records[from + 1]!;
        } else records[at] = this.aggregators[i]!.merge(records[at], records[from]) as number;
      } else {
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
    const cell = this.cells[i]!;
    if (cell < 0) return this.aggregators[i]!.result(this.objects[i]![slot]);
    const at = slot * this.stride + cell;
    if (this.ops[i] !== OP_AVG) return this.aggregators[i]!.result(this.records[at]);
    // avg's result, on the cells (avg.ts)
    const count = this.records[at + 1]!;
    return count === 0 ? null : this.records[at]! / count;
  }

  toJSON(slot: number): JsonValue[] {
    return this.aggregators.map((aggregator, i) => {
      const cell = this.cells[i]!;
      if (cell < 0) {
        const acc = this.objects[i]![slot];
        return aggregator.toJSON !== undefined ? aggregator.toJSON(acc) : (acc as JsonValue);
      }
      const at = slot * this.stride + cell;
      if (this.ops[i] !== OP_AVG) return encodeNumber(this.records[at]!);
      const acc: AvgAccumulator = { sum: this.records[at]!, count: this.records[at + 1]! };
      return aggregator.toJSON!(acc);
    });
  }

  fromJSON(slot: number, json: readonly JsonValue[]): void {
    this.aggregators.forEach((aggregator, i) => {
      const value = json[i] ?? null;
      const cell = this.cells[i]!;
      if (cell < 0) {
        this.objects[i]![slot] = aggregator.fromJSON !== undefined ? aggregator.fromJSON(value) : value;
        return;
      }
      const at = slot * this.stride + cell;
      if (this.ops[i] !== OP_AVG) this.records[at] = decodeNumber(value);
      else {
        const acc = aggregator.fromJSON!(value) as AvgAccumulator;
        this.records[at] = acc.sum;
        this.records[at + 1] = acc.count;
      }
    });
  }
}
