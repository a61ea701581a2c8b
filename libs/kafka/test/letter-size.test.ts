import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  DeadLetterHeaders,
  DeadLetterQueue,
  fitLetter,
  recordBytes,
  type ConsumedRecord,
  type KafkaProducer,
  type OutgoingRecord,
} from '@lk/kafka';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('fitLetter', () => {
  it('leaves a letter that fits alone', () => {
    const letter: OutgoingRecord = { key: Buffer.from('k'), value: Buffer.alloc(100), headers: { a: 'b' } };
    expect(fitLetter(letter, 1000)).toBe(letter);
  });

  it('cuts the value to fit and marks the original size and hash', () => {
    const value = Buffer.alloc(5000, 7);
    const fitted = fitLetter(
      { key: Buffer.from('k'), value, headers: { h: [Buffer.from([0xff]), 'x'] } },
      2000,
    );
    expect(recordBytes(fitted) + 61).toBeLessThanOrEqual(2000);
    expect(fitted.value!.length).toBeGreaterThan(1500);
    expect(value.subarray(0, fitted.value!.length).equals(fitted.value!)).toBe(true);
    expect(fitted.headers).toMatchObject({
      h: [Buffer.from([0xff]), 'x'],
      [DeadLetterHeaders.truncatedOriginalBytes]: '5000',
      [DeadLetterHeaders.truncatedSha256]: sha256(value),
      [DeadLetterHeaders.truncatedFields]: 'value',
    });
  });

  it('drops the original headers, then cuts the key, when the value alone is not enough', () => {
    const letter: OutgoingRecord = {
      key: Buffer.alloc(300, 1),
      value: Buffer.alloc(10),
      headers: { big: Buffer.alloc(2000), [DeadLetterHeaders.errorClass]: 'E' },
    };
    const fitted = fitLetter(letter, 1000);
    expect(recordBytes(fitted) + 61).toBeLessThanOrEqual(1000);
    expect(fitted.headers).not.toHaveProperty('big');
    expect(fitted.headers).toMatchObject({
      [DeadLetterHeaders.errorClass]: 'E',
      [DeadLetterHeaders.truncatedFields]: 'value,headers',
    });
    expect(fitted.key).toEqual(letter.key);
    const keyCut = fitLetter(letter, 500);
    expect(recordBytes(keyCut) + 61).toBeLessThanOrEqual(500);
    expect(keyCut.headers![DeadLetterHeaders.truncatedFields]).toBe('value,headers,key');
  });
});

describe('DeadLetterQueue', () => {
  function capture(): { producer: KafkaProducer; sends: OutgoingRecord[][] } {
    const sends: OutgoingRecord[][] = [];
    const producer = {
      send: async (_topic: string, records: OutgoingRecord[]) => {
        sends.push(records);
        return [];
      },
    } as unknown as KafkaProducer;
    return { producer, sends };
  }
  const record = (
    offset: number,
    value: Buffer,
    rawHeaders: ConsumedRecord['rawHeaders'] = {},
  ): ConsumedRecord => ({
    topic: 't',
    partition: 2,
    offset: BigInt(offset),
    key: Buffer.from([0x00, 0xfe, 0x41]),
    value,
    headers: {},
    rawHeaders,
    timestamp: 123,
  });

  it('copies the key bytes and every header value (repeated, binary, null) as consumed', async () => {
    const { producer, sends } = capture();
    const rawHeaders = {
      trace: [Buffer.from('a'), Buffer.from([0xc3, 0x28]), null],
      one: [Buffer.from('x')],
    };
    await new DeadLetterQueue(producer).send([
      { record: record(5, Buffer.from('v'), rawHeaders), error: new TypeError('bad') },
    ]);
    const [letter] = sends[0]!;
    expect(letter!.key).toEqual(Buffer.from([0x00, 0xfe, 0x41]));
    // kafkajs cannot send a null header value: an empty one, listed in lk.null-header-values
    expect(letter!.headers!['trace']).toEqual([Buffer.from('a'), Buffer.from([0xc3, 0x28]), Buffer.alloc(0)]);
    expect(letter!.headers![DeadLetterHeaders.nullHeaderValues]).toBe('{"trace":[2]}');
    expect(letter!.headers!['one']).toEqual([Buffer.from('x')]);
    expect(letter!.headers![DeadLetterHeaders.errorClass]).toBe('TypeError');
    expect(letter!.headers![DeadLetterHeaders.originalOffset]).toBe('5');
  });

  it('splits letters into sends that each fit the limit (kafkajs batches a whole send per partition)', async () => {
    const { producer, sends } = capture();
    const letters = [0, 1, 2].map((i) => ({
      record: record(i, Buffer.alloc(400_000, i)),
      error: new Error('x'),
    }));
    await new DeadLetterQueue(producer, { maxMessageBytes: 1_000_000 }).send(letters);
    expect(sends.map((s) => s.length)).toEqual([2, 1]);
    for (const send of sends)
      expect(send.reduce((n, r) => n + recordBytes(r), 61)).toBeLessThanOrEqual(1_000_000);
  });
});
