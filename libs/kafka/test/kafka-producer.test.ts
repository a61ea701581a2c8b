import type { Message, Producer, ProducerRecord, RecordMetadata } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { UnacknowledgedSendError } from '../src/errors/unacknowledged-send-error';
import { KafkaProducer, type MessagePlacements } from '../src/kafka-producer';

/** A kafkajs producer that places each message by its key (as its partitioner would) and answers `answered`. */
function producerAnswering(placements: MessagePlacements, answered: number[]): Producer {
  return {
    send: async ({ messages }: ProducerRecord): Promise<RecordMetadata[]> => {
      for (const message of messages) placements.set(message as Message, Number(message.key));
      return answered.map((partition) => ({
        topicName: 't',
        partition,
        errorCode: 0,
        baseOffset: String(100 * (partition + 1)),
      }));
    },
  } as unknown as Producer;
}

const records = (...keys: string[]) => keys.map((key) => ({ key, value: Buffer.from(key) }));

describe('KafkaProducer', () => {
  it('resolves with the base offset of each partition the records went to', async () => {
    const placements: MessagePlacements = new WeakMap();
    const producer = new KafkaProducer(producerAnswering(placements, [0, 2]), placements);
    expect(await producer.send('t', records('0', '2', '0'))).toEqual([
      { partition: 0, baseOffset: 100n },
      { partition: 2, baseOffset: 300n },
    ]);
  });

  it('fails a send that resolved without an acknowledgement for a partition it placed records in', async () => {
    // what kafkajs 2.2.4 unpatched did after a leader change: records of partition 1 never written
    const placements: MessagePlacements = new WeakMap();
    const producer = new KafkaProducer(producerAnswering(placements, [0, 2]), placements);
    const sent = producer.send('t', records('0', '1', '2'));
    await expect(sent).rejects.toThrow(
      'send to t: kafkajs answered for partitions [0, 2] but placed records in [0, 1, 2]',
    );
    await expect(sent).rejects.toBeInstanceOf(UnacknowledgedSendError);
  });

  it('fails a send answered twice for one partition (its records written twice)', async () => {
    const placements: MessagePlacements = new WeakMap();
    const producer = new KafkaProducer(producerAnswering(placements, [0, 0]), placements);
    await expect(producer.send('t', records('0'))).rejects.toThrow(/answered for partitions \[0, 0\]/);
  });
});
