import type { Message, Producer, ProducerRecord, RecordMetadata } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { KafkaProducer, type MessagePlacements } from '../src/kafka-producer';

/**
 * A kafkajs producer as it behaves across a leader change: it places every message (as its partitioner
 * does, through the placements), then answers for some partitions only — the ones whose broker answered,
 * while the records of a partition that moved to that broker were never sent.
 */
function leaderChange(placements: MessagePlacements, answers: number[][]) {
  const sends: Message[][] = [];
  const producer = {
    send: async ({ messages }: ProducerRecord): Promise<RecordMetadata[]> => {
      sends.push(messages);
      for (const message of messages)
        if (!placements.has(message)) placements.set(message, message.partition ?? Number(message.key));
      const answered = answers[sends.length - 1] ?? [];
      return answered.map((partition) => ({
        topicName: 't',
        partition,
        errorCode: 0,
        baseOffset: String(100 * (partition + 1)),
      }));
    },
  } as unknown as Producer;
  return { producer, sends };
}

describe('KafkaProducer', () => {
  it('sends again, pinned to their partition, the records kafkajs resolved without writing', async () => {
    const placements: MessagePlacements = new WeakMap();
    const { producer, sends } = leaderChange(placements, [[0, 2], [1]]);
    const records = ['0', '1', '2', '1'].map((key) => ({ key, value: Buffer.from(key) }));
    const positions = await new KafkaProducer(producer, placements).send('t', records);
    expect(positions).toEqual([
      { partition: 0, baseOffset: 100n },
      { partition: 2, baseOffset: 300n },
      { partition: 1, baseOffset: 200n },
    ]);
    expect(sends).toHaveLength(2);
    expect(sends[1]!.map((m) => [m.key, m.partition])).toEqual([
      ['1', 1],
      ['1', 1],
    ]);
  });

  it('gives up with the partitions named when a partition stays unacknowledged', async () => {
    const placements: MessagePlacements = new WeakMap();
    const { producer, sends } = leaderChange(placements, [[0]]);
    const records = ['0', '3'].map((key) => ({ key, value: Buffer.from(key) }));
    await expect(new KafkaProducer(producer, placements).send('t', records)).rejects.toThrow(
      /send to t: partitions 3 still unacknowledged after 10 resends/,
    );
    expect(sends).toHaveLength(11);
  });
});
