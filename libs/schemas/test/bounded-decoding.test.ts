import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import {
  AvroItemLimitError,
  AvroLengthExceedsBodyError,
  MalformedAvroError,
  RecordDecodeError,
  createUserEventDecoder,
} from '@lk/schemas';
import {
  FakeRegistry,
  avroLong,
  sampleEvent,
  sampleEventBody,
  userEventWith,
  wireHeader,
} from './avro-fixtures';

const ID = 7;
const record = (...bodyParts: Buffer[]) => Buffer.concat([wireHeader(ID), sampleEventBody, ...bodyParts]);
const decoderFor = (extra: Parameters<typeof userEventWith>, maxItems?: number) =>
  createUserEventDecoder(new FakeRegistry().add(ID, userEventWith(...extra)), { maxItems });

/** Runs the decode and reports what it threw and how long it took (before the fix these never returned). */
async function failure(decode: Promise<unknown>): Promise<{ error: Error; ms: number }> {
  const started = performance.now();
  const error = await decode.then(
    () => new Error('decoded, expected a refusal'),
    (caught: unknown) => caught as Error,
  );
  return { error, ms: performance.now() - started };
}

describe('bounded decoding: counts and lengths the body cannot hold are refused, fast', () => {
  it('an array of nulls claiming 2^52 items (a 60-byte record) is an AvroItemLimitError, not a days-long loop', async () => {
    const decoder = decoderFor([{ name: 'tags', type: { type: 'array', items: 'null' } }]);
    const message = record(avroLong(2n ** 52n), avroLong(0n));
    expect(message.length).toBeLessThanOrEqual(60);
    const { error, ms } = await failure(decoder.decode(message));
    expect(error).toBeInstanceOf(AvroItemLimitError);
    expect(error).toBeInstanceOf(RecordDecodeError);
    expect(error.name).toBe('AvroItemLimitError');
    expect(error.message).toMatch(/schema id 7.*4503599627370496 array\/map item/);
    expect(ms).toBeLessThan(200);
  });

  it('an array of longs claiming more items than bytes remain is an AvroLengthExceedsBodyError', async () => {
    const decoder = decoderFor([{ name: 'ids', type: { type: 'array', items: 'long' } }]);
    const { error } = await failure(decoder.decode(record(avroLong(1000n), avroLong(1n), avroLong(0n))));
    expect(error).toBeInstanceOf(AvroLengthExceedsBodyError);
    expect(error.message).toMatch(/an array block count of 1000, but only 2 byte\(s\) remain/);
  });

  it('a negative block count whose byte size exceeds the body is refused', async () => {
    const decoder = decoderFor([{ name: 'ids', type: { type: 'array', items: 'long' } }]);
    const { error } = await failure(
      decoder.decode(record(avroLong(-3n), avroLong(1_000_000n), avroLong(1n), avroLong(0n))),
    );
    expect(error).toBeInstanceOf(AvroLengthExceedsBodyError);
    expect(error.message).toMatch(/an array block byte size of 1000000/);
  });

  it('a negative block count with a huge item count and a small byte size is refused', async () => {
    const decoder = decoderFor([{ name: 'flags', type: { type: 'array', items: 'null' } }]);
    const { error, ms } = await failure(
      decoder.decode(record(avroLong(-(2n ** 50n)), avroLong(0n), avroLong(0n))),
    );
    expect(error).toBeInstanceOf(AvroItemLimitError);
    expect(ms).toBeLessThan(200);
  });

  it('a map claiming 2^40 entries is refused', async () => {
    const decoder = decoderFor([{ name: 'attrs', type: { type: 'map', values: 'null' } }]);
    const { error } = await failure(decoder.decode(record(avroLong(2n ** 40n), avroLong(0n))));
    expect(error).toBeInstanceOf(AvroLengthExceedsBodyError);
    expect(error.message).toMatch(/a map block count/);
  });

  it('a negative string length inside an array (which rewinds avsc forever) is refused', async () => {
    const decoder = decoderFor([{ name: 'tags', type: { type: 'array', items: 'string' } }]);
    const { error, ms } = await failure(decoder.decode(record(avroLong(1n), avroLong(-3n), avroLong(0n))));
    expect(error).toBeInstanceOf(AvroLengthExceedsBodyError);
    expect(error.message).toMatch(/a string length of -3/);
    expect(ms).toBeLessThan(200);
  });

  it('a string length beyond the body inside a map is refused', async () => {
    const decoder = decoderFor([{ name: 'attrs', type: { type: 'map', values: 'string' } }]);
    const { error } = await failure(decoder.decode(record(avroLong(1n), avroLong(500n))));
    expect(error).toBeInstanceOf(AvroLengthExceedsBodyError);
    expect(error.message).toMatch(/a map key length of 500/);
  });

  it('maxItems counts every block of every array in the record', async () => {
    const decoder = decoderFor(
      [
        { name: 'a', type: { type: 'array', items: 'null' } },
        { name: 'b', type: { type: 'array', items: 'null' } },
      ],
      5,
    );
    const block = (n: bigint) => [avroLong(n), avroLong(0n)];
    expect((await decoder.decode(record(...block(2n), ...block(3n)))).value).toEqual(sampleEvent);
    const { error } = await failure(decoder.decode(record(...block(3n), avroLong(3n), avroLong(0n))));
    expect(error).toBeInstanceOf(AvroItemLimitError);
    expect(error.message).toMatch(/6 array\/map item\(s\), more than the limit of 5/);
  });

  it('a block whose byte size disagrees with its items is malformed', async () => {
    const decoder = decoderFor([{ name: 'ids', type: { type: 'array', items: 'long' } }]);
    const items = Buffer.concat([avroLong(1n), avroLong(2n)]);
    const { error } = await failure(
      decoder.decode(record(avroLong(-2n), avroLong(5n), items, Buffer.alloc(3), avroLong(0n))),
    );
    expect(error).toBeInstanceOf(MalformedAvroError);
  });

  it('walks recursive writer schemas (a linked list with arrays) and bounds them too', async () => {
    const node = {
      type: 'record',
      name: 'Node',
      fields: [
        { name: 'values', type: { type: 'array', items: 'int' } },
        { name: 'next', type: ['null', 'Node'] },
      ],
    };
    const schema = userEventWith({ name: 'chain', type: node });
    const writer = avro.Type.forSchema(schema as avro.Schema);
    const chain = { values: [1, 2], next: { values: [], next: { values: [3], next: null } } };
    const decoder = createUserEventDecoder(new FakeRegistry().add(ID, schema));
    const honest = Buffer.concat([wireHeader(ID), writer.toBuffer({ ...sampleEvent, chain })]);
    expect((await decoder.decode(honest)).value).toEqual(sampleEvent);
    // second node claims 2^33 ints
    const hostile = record(avroLong(0n), avroLong(1n), avroLong(2n ** 33n), avroLong(0n));
    expect(await failure(decoder.decode(hostile)).then((f) => f.error)).toBeInstanceOf(
      AvroLengthExceedsBodyError,
    );
  });

  it('still decodes honest writers with arrays, maps, nested records and sized blocks', async () => {
    const extra = [
      { name: 'tags', type: { type: 'array', items: 'string' } },
      { name: 'attrs', type: { type: 'map', values: ['null', 'long'] } },
      {
        name: 'points',
        type: {
          type: 'array',
          items: {
            type: 'record',
            name: 'P',
            fields: [{ name: 'xs', type: { type: 'array', items: 'double' } }],
          },
        },
      },
      { name: 'nothing', type: { type: 'array', items: 'null' } },
    ];
    const writer = avro.Type.forSchema(userEventWith(...extra) as avro.Schema);
    const value = {
      ...sampleEvent,
      tags: ['a', 'bb', ''],
      attrs: { x: 1, y: null },
      points: [{ xs: [1.5, 2.5] }, { xs: [] }],
      nothing: [null, null, null],
    };
    const decoder = createUserEventDecoder(new FakeRegistry().add(ID, userEventWith(...extra)));
    const decoded = await decoder.decode(Buffer.concat([wireHeader(ID), writer.toBuffer(value)]));
    expect(decoded.value).toEqual(sampleEvent);

    // the same array as one block with a byte size (negative count), as Java writers may emit it
    const sized = createUserEventDecoder(
      new FakeRegistry().add(ID, userEventWith({ name: 'ids', type: { type: 'array', items: 'long' } })),
    );
    const items = Buffer.concat([avroLong(300n), avroLong(-1n)]);
    const message = record(avroLong(-2n), avroLong(BigInt(items.length)), items, avroLong(0n));
    expect((await sized.decode(message)).value).toEqual(sampleEvent);
  });
});
