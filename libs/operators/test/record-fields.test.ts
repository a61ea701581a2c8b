// Pipelines over any record type (issue 24): dotted paths, the Kafka record key and timestamp, and the
// pipeline fields that say how a source is written.
import { describe, expect, it } from 'vitest';
import {
  InvalidEventError,
  KeyedWindowOperator,
  MAX_KEY_LENGTH,
  toDefinition,
  validatePipelines,
  type Pipeline,
} from '../src';
import { configErrorOf } from './support/config-error';

const T0 = 1_700_000_000_000;
const MINUTE = 60_000;

function orders(patch: Partial<Pipeline> = {}): Pipeline {
  return {
    name: 'orders_1m',
    source: 'orders',
    key: 'customer.id',
    time: 'placed_at',
    window: { type: 'tumbling', size: MINUTE, offset: 0 },
    watermark: { maxOutOfOrderness: 0 },
    allowedLateness: 0,
    aggregations: [
      { name: 'orders', fn: 'count' },
      { name: 'total', fn: 'sum', field: 'payment.amount' },
      { name: 'countries', fn: 'count_distinct', field: 'customer.address.country' },
    ],
    ...patch,
  };
}

interface Order {
  customer: { id: string | number; address: { country: string | null } | null };
  payment: { amount: number | null };
  placed_at: number;
}

const order = (
  id: string | number,
  t: number,
  amount: number | null,
  country: string | null = 'DE',
): Order => ({
  customer: { id, address: { country } },
  payment: { amount },
  placed_at: t,
});

describe('dotted paths into nested records', () => {
  it('key, time and aggregation inputs are read through nested records', () => {
    const operator = new KeyedWindowOperator<Order>(orders(), { mode: 'batch' });
    operator.process(order('c1', T0, 5), 0);
    operator.process(order('c1', T0 + 1, 7, 'FR'), 0);
    operator.process(order(42, T0 + 2, 1), 1);
    operator.advanceToEndOfInput();
    const rows = operator.flush().changes.map((c) => [c.key, c.values]);
    expect(rows).toEqual([
      ['c1', { orders: 2, total: 12, countries: 2 }],
      ['42', { orders: 1, total: 1, countries: 1 }],
    ]);
  });

  it('a null along the path is skipped by the aggregation that reads it, as a null field is', () => {
    const operator = new KeyedWindowOperator<Order>(orders(), { mode: 'batch' });
    operator.process(order('c1', T0, null), 0);
    operator.process({ ...order('c1', T0 + 1, 3), customer: { id: 'c1', address: null } }, 0);
    operator.advanceToEndOfInput();
    expect(operator.flush().changes.map((c) => c.values)).toEqual([{ orders: 2, total: 3, countries: 1 }]);
  });

  it('a missing key or time along the path is refused naming the path', () => {
    const operator = new KeyedWindowOperator<Order>(orders());
    const noCustomer = { payment: { amount: 1 }, placed_at: T0 } as unknown as Order;
    expect(() => operator.process(noCustomer, 0)).toThrow(/event field "customer.id": expected a string/);
    const noTime = { customer: { id: 'c' }, payment: { amount: 1 } } as unknown as Order;
    expect(() => operator.process(noTime, 0)).toThrow(/event field "placed_at": expected epoch milliseconds/);
  });

  it('a path does not read what an object inherits', () => {
    const operator = new KeyedWindowOperator<object>(orders({ key: 'customer.name' }));
    const inherited = Object.create({ name: 'from the prototype' }) as object;
    expect(() => operator.process({ customer: inherited, payment: { amount: 1 }, placed_at: T0 }, 0)).toThrow(
      InvalidEventError,
    );
  });

  it(`a key longer than ${MAX_KEY_LENGTH} characters is refused, a key of that length is taken`, () => {
    const operator = new KeyedWindowOperator<Order>(orders());
    expect(() => operator.process(order('k'.repeat(60_000), T0, 1), 0)).toThrow(
      new RegExp(`expected a key of at most ${MAX_KEY_LENGTH} characters .*this one has 60000\\), got "kkk`),
    );
    expect(operator.process(order('k'.repeat(MAX_KEY_LENGTH), T0, 1), 0)).toBe(true);
  });
});

describe('the Kafka record key and timestamp', () => {
  const byRecord = orders({ key: '$key', time: '$timestamp' });

  it('$key groups by the record key (UTF-8 bytes or text) and $timestamp times by the record timestamp', () => {
    const operator = new KeyedWindowOperator<Order>(byRecord, { mode: 'batch' });
    // the value's own key and time fields are ignored
    operator.process(order('ignored', 0, 2), 0, 0, T0, Buffer.from('ü-key'));
    operator.process(order('ignored', 0, 3), 0, 1, T0 + MINUTE, 'ü-key');
    operator.advanceToEndOfInput();
    expect(operator.flush().changes.map((c) => [c.key, c.windowStart, c.values['total']])).toEqual([
      ['ü-key', T0 - (T0 % MINUTE), 2],
      ['ü-key', T0 - (T0 % MINUTE) + MINUTE, 3],
    ]);
  });

  it('a missing or non-UTF-8 record key, or a missing timestamp, is refused', () => {
    const operator = new KeyedWindowOperator<Order>(byRecord);
    expect(() => operator.process(order('x', T0, 1), 0, 0, T0, null)).toThrow(
      /"\$key": expected a Kafka record key of UTF-8 text, got nothing/,
    );
    expect(() => operator.process(order('x', T0, 1), 0, 0, T0, Buffer.from([0xff, 0xfe]))).toThrow(
      InvalidEventError,
    );
    expect(() => operator.process(order('x', T0, 1), 0, 0, undefined, 'k')).toThrow(
      /"\$timestamp": expected epoch milliseconds/,
    );
  });
});

describe('pipeline fields for any topic', () => {
  const raw = (patch: Record<string, unknown>) => [
    {
      name: 'orders_1m',
      source: 'orders',
      key: 'customer.id',
      time: 'placed_at',
      window: { type: 'tumbling', size: '1m' },
      aggregations: [{ name: 'total', fn: 'sum', field: 'payment.amount' }],
      ...patch,
    },
  ];
  const errorOf = configErrorOf;

  it('format and subject are optional, kept only when given, and survive toDefinition', () => {
    const [plain] = validatePipelines(raw({}));
    expect(plain).not.toHaveProperty('format');
    expect(plain).not.toHaveProperty('subject');
    const [avro] = validatePipelines(raw({ format: 'avro', subject: 'orders-v2-value' }));
    expect(avro).toMatchObject({ format: 'avro', subject: 'orders-v2-value' });
    expect(validatePipelines([toDefinition(avro!)])[0]).toEqual(avro);
    const [json] = validatePipelines(raw({ format: 'json', key: '$key', time: '$timestamp' }));
    expect(validatePipelines([toDefinition(json!)])[0]).toEqual(json);
  });

  it.each([
    [{ format: 'protobuf' }, 'format', /one of avro, json/],
    [{ format: 'json', subject: 'orders-value' }, 'subject', /no subject for format json/],
    [{ subject: '' }, 'subject', /a schema registry subject name/],
    [{ key: 'customer..id' }, 'key', /empty step/],
    [{ key: '$timestamp' }, 'key', /not a record field or \$key/],
    [{ time: '$key' }, 'time', /not a record field or \$timestamp/],
    [{ time: 'placed_at.' }, 'time', /empty step/],
    [{ key: 'customer.__proto__' }, 'key', /"__proto__", which names a property of every JavaScript object/],
    [
      { aggregations: [{ name: 'total', fn: 'sum', field: 'payment.constructor' }] },
      'aggregations[0].field',
      /"constructor"/,
    ],
    [
      { aggregations: [{ name: 'total', fn: 'sum', field: '$key' }] },
      'aggregations[0].field',
      /not a record field/,
    ],
  ])('%j is refused naming %s', (patch, field, message) => {
    const error = errorOf(raw(patch));
    expect(error.field).toBe(field);
    expect(error.message).toMatch(message);
  });
});
