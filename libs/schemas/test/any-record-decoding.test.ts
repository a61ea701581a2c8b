// Records of any type (issue 24): generic Avro records read into their subject's latest version, and JSON.
import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import {
  EPOCH_MILLIS_LOGICAL_TYPES,
  IncompatibleWriterSchemaError,
  JsonRecordDecoder,
  MalformedJsonError,
  NullValueError,
  OversizeRecordError,
  RecordDecodeError,
  RegistryNotReadyError,
  SubjectRecordDecoder,
  type AvroRecordSchema,
} from '@lk/schemas';
import { FakeRegistry, wireHeader } from './avro-fixtures';

const SUBJECT = 'orders-value';

const orderV1: AvroRecordSchema = {
  type: 'record',
  name: 'Order',
  namespace: 'shop',
  fields: [
    { name: 'order_id', type: 'string' },
    {
      name: 'customer',
      type: { type: 'record', name: 'Customer', fields: [{ name: 'id', type: 'string' }] },
    },
    { name: 'placed_at', type: { type: 'long', logicalType: 'timestamp-micros' } },
    { name: 'amount_cents', type: 'long' },
  ],
} as unknown as AvroRecordSchema;

const orderV2: AvroRecordSchema = {
  ...orderV1,
  fields: [...orderV1.fields, { name: 'coupon', type: ['null', 'string'], default: null }],
} as AvroRecordSchema;

/** v3 drops amount_cents, which v1's reader needs (it has no default). */
const orderV3: AvroRecordSchema = {
  ...orderV1,
  fields: orderV1.fields.filter((field) => field.name !== 'amount_cents'),
} as AvroRecordSchema;

const PLACED_MICROS = 1_700_000_000_123_456;

function encoded(id: number, schema: AvroRecordSchema, value: object): Buffer {
  // written as a producer writes it: the long is micros, whatever a reader makes of it
  const type = avro.Type.forSchema(schema as avro.Schema);
  return Buffer.concat([wireHeader(id), type.toBuffer(value)]);
}

const order = { order_id: 'o-1', customer: { id: 'c-7' }, placed_at: PLACED_MICROS, amount_cents: 1250 };

const rejection = (decode: Promise<unknown>) =>
  decode.then(
    () => new Error('decoded, expected a refusal'),
    (caught: unknown) => caught as Error,
  );

describe('SubjectRecordDecoder: any record type, read into the subject latest version', () => {
  it('decodes a nested record, timestamp-micros read as epoch milliseconds (floored)', async () => {
    const registry = new FakeRegistry().add(4, orderV1, SUBJECT);
    const decoder = new SubjectRecordDecoder(registry, { subject: SUBJECT });
    const { value } = await decoder.decode(encoded(4, orderV1, order));
    expect(value).toMatchObject({ order_id: 'o-1', customer: { id: 'c-7' }, amount_cents: 1250 });
    expect((value as { placed_at: number }).placed_at).toBe(Math.floor(PLACED_MICROS / 1000));
    expect(await decoder.reader()).toMatchObject({ subject: SUBJECT, version: 1, schemaId: 4 });
  });

  it('a later writer version adding an optional field is read into the reader without error', async () => {
    const registry = new FakeRegistry().add(4, orderV1, SUBJECT);
    const decoder = new SubjectRecordDecoder(registry, { subject: SUBJECT });
    await decoder.reader();
    registry.add(5, orderV2, SUBJECT);
    const { value } = await decoder.decode(encoded(5, orderV2, { ...order, coupon: 'XMAS' }));
    expect(value).toMatchObject({ order_id: 'o-1', amount_cents: 1250 });
  });

  it('a writer that dropped a field the reader needs is refused as poison, naming the field', async () => {
    const registry = new FakeRegistry().add(4, orderV1, SUBJECT);
    const decoder = new SubjectRecordDecoder(registry, { subject: SUBJECT });
    await decoder.reader();
    registry.add(6, orderV3, SUBJECT);
    const { amount_cents: _dropped, ...withoutAmount } = order;
    const error = await rejection(decoder.decode(encoded(6, orderV3, withoutAmount)));
    expect(error).toBeInstanceOf(IncompatibleWriterSchemaError);
    expect(error.message).toMatch(
      /schema id 6, .*no matching field for default-less shop.Order.amount_cents/,
    );
  });

  it('a writer of another subject is accepted when it resolves to the reader, refused when it does not', async () => {
    const registry = new FakeRegistry()
      .add(4, orderV1, SUBJECT)
      .add(8, orderV1, 'shop.Order') // RecordNameStrategy: same schema, another subject
      .add(9, { type: 'record', name: 'PageView', fields: [{ name: 'url', type: 'string' }] }, 'views-value');
    const decoder = new SubjectRecordDecoder(registry, { subject: SUBJECT });
    expect((await decoder.decode(encoded(8, orderV1, order))).value).toMatchObject({ order_id: 'o-1' });
    const error = await rejection(decoder.decode(encoded(9, registry.schemas.get(9)!, { url: '/' })));
    expect(error).toBeInstanceOf(IncompatibleWriterSchemaError);
    expect(error.message).toMatch(
      /registered under subject\(s\) views-value, not under orders-value, and does not resolve/,
    );
  });

  it('an empty subject is a retry (RegistryNotReadyError), never poison; its first version is then used', async () => {
    const registry = new FakeRegistry();
    const decoder = new SubjectRecordDecoder(registry, { subject: SUBJECT });
    expect(await decoder.reader()).toBeNull();
    const error = await rejection(decoder.decode(encoded(4, orderV1, order)));
    expect(error).toBeInstanceOf(RegistryNotReadyError);
    expect(error).not.toBeInstanceOf(RecordDecodeError);
    registry.add(4, orderV1, SUBJECT);
    expect((await decoder.decode(encoded(4, orderV1, order))).value).toMatchObject({ order_id: 'o-1' });
  });

  it('checkReader refusing the reader is thrown by decode and asked again next time', async () => {
    const registry = new FakeRegistry().add(4, orderV1, SUBJECT);
    let refuse = true;
    const decoder = new SubjectRecordDecoder(registry, {
      subject: SUBJECT,
      checkReader: (reader) => {
        if (refuse) throw new Error(`no field "x" in version ${reader.version}`);
      },
    });
    expect((await rejection(decoder.decode(encoded(4, orderV1, order)))).message).toBe(
      'no field "x" in version 1',
    );
    refuse = false;
    expect((await decoder.decode(encoded(4, orderV1, order))).value).toMatchObject({ order_id: 'o-1' });
  });

  it('timestamp-millis and timestamp-micros types encode and decode milliseconds both ways', () => {
    const type = avro.Type.forSchema(orderV1 as avro.Schema, { logicalTypes: EPOCH_MILLIS_LOGICAL_TYPES });
    const plain = avro.Type.forSchema(orderV1 as avro.Schema);
    const millis = 1_700_000_000_123;
    const buffer = type.toBuffer({ ...order, placed_at: millis });
    expect((plain.fromBuffer(buffer) as { placed_at: number }).placed_at).toBe(millis * 1000);
    expect((type.fromBuffer(buffer) as { placed_at: number }).placed_at).toBe(millis);
  });
});

describe('JsonRecordDecoder', () => {
  const decoder = new JsonRecordDecoder({ maxRecordBytes: 64 * 1024 });
  const json = (text: string) => Buffer.from(text, 'utf8');

  it('decodes a JSON object with nested objects', () => {
    expect(decoder.decode(json('{"customer":{"id":"c-1"},"ts":5,"s":"a{[\\"}"}'))).toEqual({
      customer: { id: 'c-1' },
      ts: 5,
      s: 'a{["}',
    });
  });

  it.each([
    ['[1,2]', /an array/],
    ['"text"', /a string/],
    ['null', /null/],
    ['42', /a number/],
    ['{"a":', /JSON/],
  ])('%s is poison: MalformedJsonError', (text, message) => {
    const refuse = () => decoder.decode(json(text));
    expect(refuse).toThrow(MalformedJsonError);
    expect(refuse).toThrow(message);
  });

  it('bytes that are not UTF-8, a tombstone and an oversize value are poison', () => {
    expect(() => decoder.decode(Buffer.from([0x7b, 0xff, 0x7d]))).toThrow(/not UTF-8/);
    expect(() => decoder.decode(null)).toThrow(NullValueError);
    expect(() => decoder.decode(Buffer.alloc(64 * 1024 + 1, 0x20))).toThrow(OversizeRecordError);
  });

  it('10 000 nested arrays are refused by the depth bound before parsing; 64 levels are read', () => {
    const deep = '['.repeat(10_000) + ']'.repeat(10_000);
    expect(() => decoder.decode(json(`{"a":${deep}}`))).toThrow(/deeper than 64 levels/);
    const ok = '{"a":'.repeat(64) + '1' + '}'.repeat(64);
    expect(() => decoder.decode(json(`${ok}`))).not.toThrow();
    expect(() => decoder.decode(json(`{"x":${ok}}`))).toThrow(/deeper than 64 levels/);
  });
});
