import { describe, expect, it } from 'vitest';
import {
  DeadLetterQueue,
  DeadLetterQueueUnavailableError,
  DeadLetterShareExceededError,
  RetryBatchLaterError,
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
    rawHeaders: {},
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

  it('does not handle the good records when the DLQ cannot be written, and asks for a retry later', async () => {
    const calls: string[] = [];
    const handler = decodingBatchHandler<number>({
      decode,
      isPoison: (e) => e instanceof PoisonError,
      deadLetters: new DeadLetterQueue(fakeProducer(calls, true)),
      handle: async () => void calls.push('handle'),
    });
    const failure = handler(batch([record(0, '1'), record(1, 'x')]));
    await expect(failure).rejects.toBeInstanceOf(DeadLetterQueueUnavailableError);
    await expect(failure).rejects.toBeInstanceOf(RetryBatchLaterError);
    await expect(failure).rejects.toThrow('broker unavailable');
    expect(calls).toEqual([]);
  });

  describe('safety valve', () => {
    const handlerFor = (
      calls: string[],
      safetyValve?: { maxDeadLetterShare?: number; minBatchSize?: number },
    ) =>
      decodingBatchHandler<number>({
        decode,
        isPoison: (e) => e instanceof PoisonError,
        deadLetters: new DeadLetterQueue(fakeProducer(calls)),
        handle: async (_b, decoded) => void calls.push(`handle ${decoded.length}`),
        safetyValve,
      });
    const mixed = (good: number, bad: number) =>
      batch([
        ...Array.from({ length: good }, (_, i) => record(i, String(i))),
        ...Array.from({ length: bad }, (_, i) => record(good + i, `bad${i}`)),
      ]);

    it('refuses to dead-letter more than half of a batch: nothing sent or handled, a named retry-later error', async () => {
      const calls: string[] = [];
      const failure = handlerFor(calls)(mixed(4, 6));
      await expect(failure).rejects.toBeInstanceOf(DeadLetterShareExceededError);
      await expect(failure).rejects.toBeInstanceOf(RetryBatchLaterError);
      await expect(failure).rejects.toThrow(/6 of 10 records of t\[0\] would be dead-lettered/);
      expect(calls).toEqual([]);
    });

    it('dead-letters exactly half of a batch (the valve opens only above the share)', async () => {
      const calls: string[] = [];
      await handlerFor(calls)(mixed(5, 5));
      expect(calls).toEqual(['dlq t.dlq: bad0,bad1,bad2,bad3,bad4', 'handle 5']);
    });

    it('still dead-letters a lone poison record in a small batch (below the minimum batch size)', async () => {
      const calls: string[] = [];
      await handlerFor(calls)(mixed(0, 1));
      await handlerFor(calls)(mixed(1, 8));
      expect(calls).toEqual([
        'dlq t.dlq: bad0',
        'handle 0',
        'dlq t.dlq: bad0,bad1,bad2,bad3,bad4,bad5,bad6,bad7',
        'handle 1',
      ]);
    });

    it('takes a configured share and minimum', async () => {
      const calls: string[] = [];
      await expect(
        handlerFor(calls, { maxDeadLetterShare: 0.1, minBatchSize: 2 })(mixed(3, 1)),
      ).rejects.toBeInstanceOf(DeadLetterShareExceededError);
      expect(calls).toEqual([]);
    });
  });
});
