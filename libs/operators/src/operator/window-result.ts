import type { JsonValue } from '../aggregators/aggregator';
import type { WindowSlots } from '../state/window-slots';
import type { ResultChange } from './types';

/**
 * One changed window during `flushEach()`: the same object is pointed at each window in turn, so a sink
 * that reads the fields it needs (into SQL parameters, a Kafka record, a counter) allocates nothing per
 * window. Read it within the callback; keep `toChange()` for a copy that outlives it.
 */
export class WindowResult {
  key = '';
  windowStart = 0;
  windowEnd = 0;
  /** Increases with every change of this window (each event added, and becoming final). */
  revision = 0;
  final = false;
  private slots: WindowSlots | undefined;
  private slot = 0;
  /**
   * The shape of a result's `values`, all null. Aggregation names that Object.prototype has (`__proto__`)
   * are refused by validation and by the operator, so every name is an ordinary own property here.
   */
  private readonly valuesTemplate: Record<string, number | null> = {};

  constructor(
    readonly pipeline: string,
    /** Aggregation names in pipeline order: `value(i)` is the result of `aggregationNames[i]`. */
    readonly aggregationNames: readonly string[],
  ) {
    for (const name of aggregationNames) this.valuesTemplate[name] = null;
  }

  /** The result of aggregation `i`; null where it saw no value (min of nothing, like SQL). */
  value(i: number): number | null {
    return this.slots!.accumulators.result(this.slot, i);
  }

  /** Aggregation name → result, as `ResultChange.values`. */
  values(): Record<string, number | null> {
    // A copy of the template has every property already, so filling it in changes no object shape.
    const values: Record<string, number | null> = { ...this.valuesTemplate };
    for (let i = 0; i < this.aggregationNames.length; i++) values[this.aggregationNames[i]!] = this.value(i);
    return values;
  }

  /** The window's accumulators, one per aggregation, as a snapshot encodes them. */
  accumulators(): JsonValue[] {
    return this.slots!.accumulators.toJSON(this.slot);
  }

  /** A copy as a `ResultChange`, with the accumulators when `withAccumulators`. */
  toChange(withAccumulators: boolean): ResultChange {
    return {
      pipeline: this.pipeline,
      key: this.key,
      windowStart: this.windowStart,
      windowEnd: this.windowEnd,
      values: this.values(),
      revision: this.revision,
      final: this.final,
      ...(withAccumulators ? { accumulators: this.accumulators() } : {}),
    };
  }

  /** @internal Lets go of the last partition's windows once a flush is done with them. */
  detach(): void {
    this.slots = undefined;
  }

  /** @internal Points this result at a window of a partition. */
  point(slots: WindowSlots, slot: number, key: string, final: boolean): this {
    this.slots = slots;
    this.slot = slot;
    this.key = key;
    this.windowStart = slots.start(slot);
    this.windowEnd = slots.end(slot);
    this.revision = slots.revision(slot) + (final ? 1 : 0);
    this.final = final;
    return this;
  }
}
