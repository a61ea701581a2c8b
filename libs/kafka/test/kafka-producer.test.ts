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

/** What kafkajs's bail makes of a dropped connection: a non-retriable wrapper around the connection error. */
function connectionLost(): Error {
  const cause = Object.assign(new Error('Connection error: read ECONNRESET'), {
    name: 'KafkaJSConnectionError',
  });
  return Object.assign(new Error(cause.message), { name: 'KafkaJSNonRetriableError', cause });
}

/** A kafkajs producer whose connect() fails with the errors given, in turn, then succeeds. */
function producerFailingToConnect(failures: Error[]): { producer: Producer; calls: string[] } {
  const calls: string[] = [];
  const producer = {
    connect: async () => {
      calls.push('connect');
      const failure = failures.shift();
      if (failure) throw failure;
    },
    disconnect: async () => {
      calls.push('disconnect');
    },
  } as unknown as Producer;
  return { producer, calls };
}

describe('KafkaProducer.connect', () => {
  const retry = { attempts: 3, initialMs: 1 };

  it('tries again when the connection broke while connecting (kafkajs gives up at once), then resolves', async () => {
    const { producer, calls } = producerFailingToConnect([connectionLost(), connectionLost()]);
    await new KafkaProducer(producer, new WeakMap(), retry).connect();
    expect(calls).toEqual(['connect', 'disconnect', 'connect', 'disconnect', 'connect']);
  });

  it('gives up after the attempts it is given, with the error kafkajs raised', async () => {
    const { producer, calls } = producerFailingToConnect([
      connectionLost(),
      connectionLost(),
      connectionLost(),
    ]);
    await expect(new KafkaProducer(producer, new WeakMap(), retry).connect()).rejects.toThrow(/ECONNRESET/);
    expect(calls.filter((call) => call === 'connect')).toHaveLength(3);
  });

  it('does not try again after any other error (a refused SASL login, an authorization failure)', async () => {
    const denied = Object.assign(new Error('Cluster authorization failed'), { name: 'KafkaJSProtocolError' });
    const { producer, calls } = producerFailingToConnect([denied]);
    await expect(new KafkaProducer(producer, new WeakMap(), retry).connect()).rejects.toBe(denied);
    expect(calls).toEqual(['connect']);
  });
});
