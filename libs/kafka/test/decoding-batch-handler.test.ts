import { describe, expect, it } from 'vitest';
import {
  DeadLetterQueue,
  decodingBatchHandler,
  type ConsumedBatch,
  type ConsumedRecord,
  type KafkaProducer,
} from '@lk/kafka';

class PoisonError extends Error {
  override readonly name = 'PoisonError';
}

function record(offset: number, value: string | null): ConsumedRecord {
  return {
    topic: 't',
    partition: 0,
    offset: BigInt(offset),
    key: null,
    value: value === null ? null : Buffer.from(value),
    headers: {},
    timestamp: 0,
  };
}

function fakeProducer(calls: string[], fail = false): KafkaProducer {
  return {
    send: async (topic: string, records: { value: Buffer | null }[]) => {
      if (fail) throw new Error('broker unavailable');
      calls.push(`dlq ${topic}: ${records.map((r) => r.value?.toString()).join(',')}`);
      return [];
    },
  } as unknown as KafkaProducer;
}

const batch = (records: ConsumedRecord[]): ConsumedBatch => ({
  topic: 't',
  partition: 0,
  records,
  highWatermark: 10n,
});

const decode = async (r: ConsumedRecord): Promise<number> => {
  const text = r.value?.toString() ?? '';
  if (text === 'registry-down') throw new Error('ECONNREFUSED');
  if (!/^\d+$/.test(text)) throw new PoisonError(`not a number: ${text}`);
  return Number(text);
};

describe('decodingBatchHandler', () => {
  it('dead-letters poison before handing the good records, in offset order, to the handler', async () => {
    const calls: string[] = [];
    const handler = decodingBatchHandler<number>({
      decode,
      isPoison: (e) => e instanceof PoisonError,
      deadLetters: new DeadLetterQueue(fakeProducer(calls)),
      handle: async (_b, decoded) => void calls.push(`handle ${decoded.map((d) => d.value).join(',')}`),
    });
    await handler(batch([record(0, '1'), record(1, 'x'), record(2, '2'), record(3, 'y')]));
    expect(calls).toEqual(['dlq t.dlq: x,y', 'handle 1,2']);
  });

  it('fails the whole batch on a non-poison error: nothing is dead-lettered or handled, so it is retried', async () => {
    const calls: string[] = [];
    const handler = decodingBatchHandler<number>({
      decode,
      isPoison: (e) => e instanceof PoisonError,
      deadLetters: new DeadLetterQueue(fakeProducer(calls)),
      handle: async () => void calls.push('handle'),
    });
    await expect(handler(batch([record(0, 'x'), record(1, 'registry-down')]))).rejects.toThrow(
      'ECONNREFUSED',
    );
    expect(calls).toEqual([]);
  });

  it('does not handle the good records when the DLQ cannot be written (so the batch is not committed)', async () => {
    const calls: string[] = [];
    const handler = decodingBatchHandler<number>({
      decode,
      isPoison: (e) => e instanceof PoisonError,
      deadLetters: new DeadLetterQueue(fakeProducer(calls, true)),
      handle: async () => void calls.push('handle'),
    });
    await expect(handler(batch([record(0, '1'), record(1, 'x')]))).rejects.toThrow('broker unavailable');
    expect(calls).toEqual([]);
  });
});
