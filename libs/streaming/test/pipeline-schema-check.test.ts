import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { validatePipelines, type Pipeline } from '@lk/operators';
import { EPOCH_MILLIS_LOGICAL_TYPES } from '@lk/schemas';
import { checkPipelineSchema, PipelineSchemaError } from '../src';

const orderType = avro.Type.forSchema(
  {
    type: 'record',
    name: 'Order',
    fields: [
      { name: 'order_id', type: 'string' },
      {
        name: 'customer',
        type: [
          'null',
          {
            type: 'record',
            name: 'Customer',
            fields: [
              { name: 'id', type: 'long' },
              { name: 'country', type: ['null', 'string'], default: null },
            ],
          },
        ],
        default: null,
      },
      { name: 'placed_at', type: { type: 'long', logicalType: 'timestamp-micros' } },
      { name: 'amount', type: ['null', 'int'] },
      { name: 'tags', type: { type: 'array', items: 'string' } },
      { name: 'either', type: ['int', 'long'] },
    ],
  } as avro.Schema,
  { logicalTypes: EPOCH_MILLIS_LOGICAL_TYPES },
);

function pipeline(patch: Record<string, unknown>): Pipeline {
  return validatePipelines([
    {
      name: 'orders_1m',
      source: 'orders',
      key: 'customer.id',
      time: 'placed_at',
      window: { type: 'tumbling', size: '1m' },
      aggregations: [
        { name: 'n', fn: 'count' },
        { name: 'total', fn: 'sum', field: 'amount' },
        { name: 'countries', fn: 'count_distinct', field: 'customer.country' },
      ],
      ...patch,
    },
  ])[0]!;
}

const refusal = (p: Pipeline): PipelineSchemaError => {
  try {
    checkPipelineSchema(p, orderType, 'subject orders-value version 3');
  } catch (error) {
    if (error instanceof PipelineSchemaError) return error;
    throw error;
  }
  throw new Error('expected a PipelineSchemaError');
};

describe('checkPipelineSchema', () => {
  it('accepts paths through nullable records, nullable numbers and timestamp-micros', () => {
    expect(() => checkPipelineSchema(pipeline({}), orderType, 'v1')).not.toThrow();
    expect(() =>
      checkPipelineSchema(pipeline({ key: '$key', time: '$timestamp' }), orderType, 'v1'),
    ).not.toThrow();
  });

  it.each([
    [{ key: 'customer.name' }, 'key', /found no field "name" in record Customer \(its fields: id, country\)/],
    [{ key: 'order_id.x' }, 'key', /found string at "order_id", which has no fields/],
    [{ time: 'order_id' }, 'time', /expected epoch milliseconds .*found string/],
    [{ key: 'tags' }, 'key', /found array/],
    [
      { aggregations: [{ name: 'total', fn: 'sum', field: 'customer.country' }] },
      'aggregations[0].field',
      /expected a number \(int, long, float or double\) for sum, found union \[null, string\]/,
    ],
    [
      { aggregations: [{ name: 'd', fn: 'count_distinct', field: 'tags' }] },
      'aggregations[0].field',
      /expected a scalar .* for count_distinct, found array/,
    ],
    [
      { aggregations: [{ name: 'm', fn: 'max', field: 'either' }] },
      'aggregations[0].field',
      /found union \[int, long\]/,
    ],
  ])('%j is refused naming %s, what it found and the schema', (patch, field, found) => {
    const error = refusal(pipeline(patch));
    expect(error.pipelineField).toBe(field);
    expect(error.problem).toMatch(/^pipeline "orders_1m": /);
    expect(error.message).toMatch(found);
    expect(error.problem).toMatch(/in subject orders-value version 3$/);
  });
});
