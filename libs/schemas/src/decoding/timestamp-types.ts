import avro from 'avsc';

/**
 * Avro's timestamp logical types read as epoch milliseconds, the unit of every event time here. Micros are
 * floored to the millisecond (as Flink's TIMESTAMP(3) does); millis are taken as they are. By Avro's rules a
 * logical type does not take part in schema resolution, so a writer's plain long is read through the
 * reader's logical type as its unit.
 */
class EpochMillisType extends avro.types.LogicalType {
  private readonly perMillisecond: number;

  constructor(schema: avro.Schema, opts?: object) {
    super(schema, opts);
    const logicalType = (schema as { logicalType?: string }).logicalType ?? '';
    this.perMillisecond = logicalType.endsWith('-micros') ? 1000 : 1;
  }

  protected override _fromValue(value: unknown): unknown {
    return typeof value === 'number' ? Math.floor(value / this.perMillisecond) : value;
  }

  protected override _toValue(value: unknown): unknown {
    return typeof value === 'number' ? value * this.perMillisecond : value;
  }

  protected override _resolve(type: avro.Type): ((value: unknown) => unknown) | undefined {
    const name = type.typeName;
    if (name === 'long' || name === 'int' || name.startsWith('logical:')) {
      return (value) => this._fromValue(value);
    }
    return undefined;
  }
}

/** The `logicalTypes` option of avsc that reads every timestamp logical type as epoch milliseconds. */
export const EPOCH_MILLIS_LOGICAL_TYPES: Record<
  string,
  new (schema: avro.Schema, opts?: object) => avro.types.LogicalType
> = {
  'timestamp-millis': EpochMillisType,
  'timestamp-micros': EpochMillisType,
  'local-timestamp-millis': EpochMillisType,
  'local-timestamp-micros': EpochMillisType,
};
