import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

// kafkajs's own record-batch encoder and decoder (the decoder carries our patch: number arithmetic for
// offsets and timestamps when exact, records decoded in place); the expectations are computed with BigInt
const kafkajs = createRequire(require.resolve('kafkajs'));
const Long = kafkajs('./src/utils/long');
const Decoder = kafkajs('./src/protocol/decoder');
const { RecordBatch } = kafkajs('./src/protocol/recordBatch/v0');
const Record = kafkajs('./src/protocol/recordBatch/record/v0');
const decodeRecordBatch = kafkajs('./src/protocol/recordBatch/v0/decoder');

interface Input {
  offsetDelta: number;
  timestampDelta: bigint;
  key: Buffer | null;
  value: Buffer | null;
  headers?: Record<string, Buffer | Buffer[]>;
}

async function roundTrip(firstOffset: bigint, firstTimestamp: bigint, inputs: Input[]) {
  const encoded = await RecordBatch({
    firstOffset: Long.fromString(firstOffset.toString()),
    firstTimestamp: Long.fromString(firstTimestamp.toString()),
    maxTimestamp: Long.fromString(firstTimestamp.toString()),
    lastOffsetDelta: inputs.at(-1)!.offsetDelta,
    records: inputs.map((input) =>
      Record({ ...input, timestampDelta: Long.fromString(input.timestampDelta.toString()) }),
    ),
  });
  const batch = await decodeRecordBatch(new Decoder(encoded.buffer));
  return batch.records as {
    offset: string;
    timestamp: string;
    key: Buffer | null;
    value: Buffer | null;
    headers: Record<string, Buffer | Buffer[]>;
  }[];
}

describe('kafkajs record decoding (patched)', () => {
  it('gives every record its exact offset, timestamp, key, value and headers', async () => {
    const inputs: Input[] = [];
    for (let i = 0; i < 500; i++)
      inputs.push({
        offsetDelta: i,
        // negative, zero, small, and beyond 49 bits (the number fast path gives way to Long)
        timestampDelta: [0n, -1n, 63n, -64n, 1n << 40n, -(1n << 48n), (1n << 50n) + 3n, -(1n << 55n)][i % 8]!,
        key: i % 7 === 0 ? null : Buffer.from(`key-${i}`),
        value: i % 11 === 0 ? null : Buffer.from(`value-${i}-${'x'.repeat(i % 300)}`),
        headers: i % 5 === 0 ? { a: Buffer.from(`h${i}`), b: [Buffer.from('1'), Buffer.from('2')] } : {},
      });
    for (const firstOffset of [0n, 1_234_567n, (1n << 53n) - 100n, 1n << 60n]) {
      const firstTimestamp = 1_700_000_000_000n;
      const records = await roundTrip(firstOffset, firstTimestamp, inputs);
      expect(records).toHaveLength(inputs.length);
      records.forEach((record, i) => {
        const input = inputs[i]!;
        expect(record.offset).toBe((firstOffset + BigInt(input.offsetDelta)).toString());
        expect(record.timestamp).toBe((firstTimestamp + input.timestampDelta).toString());
        expect(record.key).toEqual(input.key);
        expect(record.value).toEqual(input.value);
        expect(record.headers).toEqual(input.headers);
      });
    }
  });

  it('handles a batch without timestamps (-1) and huge first timestamps', async () => {
    for (const firstTimestamp of [-1n, (1n << 62n) + 5n]) {
      const records = await roundTrip(10n, firstTimestamp, [
        { offsetDelta: 0, timestampDelta: 0n, key: null, value: Buffer.from('v') },
        { offsetDelta: 1, timestampDelta: 1000n, key: null, value: Buffer.from('w') },
      ]);
      expect(records.map((record) => record.timestamp)).toEqual([
        firstTimestamp.toString(),
        (firstTimestamp + 1000n).toString(),
      ]);
    }
  });
});
