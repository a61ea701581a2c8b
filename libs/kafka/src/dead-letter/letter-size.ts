import { createHash } from 'node:crypto';
import type { OutgoingHeaderValue, OutgoingHeaders, OutgoingRecord } from '../types';
import { DeadLetterHeaders } from './dead-letter-headers';

/**
 * Kafka checks `max.message.bytes` against a whole record batch (v2, uncompressed here): a 61-byte batch
 * header plus each record. kafkajs puts all records of one send to one partition into one batch.
 */
export const recordBatchOverheadBytes = 61;

/** an upper bound: every varint counted at its widest (length 5, timestamp delta 10, offset delta 5, …) */
export function recordBytes(record: OutgoingRecord): number {
  let size = 36 + bytesOf(record.key) + bytesOf(record.value);
  for (const [name, value] of Object.entries(record.headers ?? {}))
    for (const v of Array.isArray(value) ? value : [value]) size += 10 + Buffer.byteLength(name) + bytesOf(v);
  return size;
}

function bytesOf(value: OutgoingHeaderValue | null): number {
  if (value === null) return 0;
  return Buffer.isBuffer(value) ? value.length : Buffer.byteLength(value);
}

/**
 * Makes a letter fit a topic whose batches may be at most `maxMessageBytes`: first the value is cut, then
 * the original headers are dropped, then the key is cut. What was cut is marked in headers, with the
 * original value's length and sha256, so the letter still identifies its record (with the lk.original.*
 * position headers) when the copy cannot be byte-for-byte.
 */
export function fitLetter(letter: OutgoingRecord, maxMessageBytes: number): OutgoingRecord {
  const budget = maxMessageBytes - recordBatchOverheadBytes;
  if (recordBytes(letter) <= budget) return letter;
  const value = letter.value ?? Buffer.alloc(0);
  const mark = (fields: string, headers: OutgoingHeaders): OutgoingHeaders => ({
    ...headers,
    [DeadLetterHeaders.truncatedOriginalBytes]: String(value.length),
    [DeadLetterHeaders.truncatedSha256]: createHash('sha256').update(value).digest('hex'),
    [DeadLetterHeaders.truncatedFields]: fields,
  });

  const valueCut: OutgoingRecord = {
    ...letter,
    value: Buffer.alloc(0),
    headers: mark('value', letter.headers ?? {}),
  };
  const room = budget - recordBytes(valueCut);
  if (room >= 0) return { ...valueCut, value: value.subarray(0, room) };

  const ours = Object.fromEntries(
    Object.entries(letter.headers ?? {}).filter(([name]) => name.startsWith('lk.')),
  );
  const headersCut: OutgoingRecord = { ...valueCut, headers: mark('value,headers', ours) };
  if (recordBytes(headersCut) <= budget) return headersCut;

  const keyCut: OutgoingRecord = {
    ...headersCut,
    key: Buffer.alloc(0),
    headers: mark('value,headers,key', ours),
  };
  const keyRoom = budget - recordBytes(keyCut);
  if (keyRoom < 0)
    throw new RangeError(
      `a dead letter cannot fit in ${maxMessageBytes} bytes even without value, headers and key`,
    );
  const key = typeof letter.key === 'string' ? Buffer.from(letter.key) : (letter.key ?? Buffer.alloc(0));
  return { ...keyCut, key: key.subarray(0, keyRoom) };
}

/** Splits letters into sends whose batches each fit `maxMessageBytes`, keeping their order. */
export function chunkLetters(letters: OutgoingRecord[], maxMessageBytes: number): OutgoingRecord[][] {
  const budget = maxMessageBytes - recordBatchOverheadBytes;
  const chunks: OutgoingRecord[][] = [];
  let current: OutgoingRecord[] = [];
  let size = 0;
  for (const letter of letters) {
    const bytes = recordBytes(letter);
    if (current.length > 0 && size + bytes > budget) {
      chunks.push(current);
      current = [];
      size = 0;
    }
    current.push(letter);
    size += bytes;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
