import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

// kafkajs's own send loop, which carries our patch: acknowledgements kept per partition, and every request
// of an attempt settled before the next attempt decides what to send
const kafkajs = createRequire(require.resolve('kafkajs'));
const createSendMessages = kafkajs('./src/producer/sendMessages');
const createRetry = kafkajs('./src/retry');
const { KafkaJSConnectionError } = kafkajs('./src/errors');

interface Produce {
  nodeId: number;
  partitions: { partition: number; firstSequence: number; keys: string[] }[];
}

/**
 * A cluster of brokers that produce as `behave` says, with partitions 0-2 led as `leaders` says (changed by
 * `behave`, as a leader change would). Every lookup of a broker gives a new Broker object, as kafkajs's pool
 * does after it dropped and re-added one.
 */
function cluster(leaders: Map<number, number>, behave: (call: Produce) => Promise<void>) {
  const produced: Produce[] = [];
  const sequences = new Map<number, number>();
  const metadata = () => [0, 1, 2].map((partitionId) => ({ partitionId, leader: leaders.get(partitionId) }));
  const fakeCluster = {
    targetTopics: new Set<string>(),
    addMultipleTargetTopics: async () => undefined,
    refreshMetadataIfNecessary: async () => undefined,
    refreshMetadata: async () => undefined,
    isConnected: () => true,
    removeBroker: () => undefined,
    findTopicPartitionMetadata: metadata,
    findLeaderForPartitions: (_topic: string, partitions: string[]) => {
      const result: Record<number, number[]> = {};
      for (const id of partitions.map(Number)) (result[leaders.get(id)!] ??= []).push(id);
      return result;
    },
    findBroker: async ({ nodeId }: { nodeId: string }) => ({
      nodeId: Number(nodeId),
      produce: async ({ topicData }: { topicData: { topic: string; partitions: PartitionData[] }[] }) => {
        const call: Produce = {
          nodeId: Number(nodeId),
          partitions: topicData[0]!.partitions.map((p) => ({
            partition: p.partition,
            firstSequence: p.firstSequence,
            keys: p.messages.map((m) => m.key),
          })),
        };
        produced.push(call);
        await behave(call);
        return {
          topics: [
            {
              topicName: 't',
              partitions: call.partitions.map(({ partition }) => ({
                partition,
                errorCode: 0,
                baseOffset: '0',
              })),
            },
          ],
        };
      },
    }),
  };
  const eosManager = {
    acquireBrokerLock: async () => undefined,
    releaseBrokerLock: async () => undefined,
    isTransactional: () => false,
    getProducerId: () => 1,
    getProducerEpoch: () => 0,
    getSequence: (_topic: string, partition: number) => sequences.get(partition) ?? 0,
    updateSequence: (_topic: string, partition: number, delta: number) =>
      sequences.set(partition, (sequences.get(partition) ?? 0) + delta),
  };
  const silent = { debug: () => undefined, error: () => undefined, warn: () => undefined };
  const send = createSendMessages({
    logger: silent,
    cluster: fakeCluster,
    partitioner: ({ message }: { message: { key: string } }) => Number(message.key),
    eosManager,
    retrier: createRetry({ retries: 5, initialRetryTime: 10, maxRetryTime: 50 }),
  });
  const messages = ['0', '1', '2', '0', '1', '2'].map((key) => ({ key, value: key }));
  return {
    produced,
    sequences,
    send: (): Promise<{ partition: number }[]> =>
      send({ acks: -1, topicMessages: [{ topic: 't', messages }] }),
  };
}

interface PartitionData {
  partition: number;
  firstSequence: number;
  messages: { key: string }[];
}

const refused = () => new KafkaJSConnectionError('Connection error: connect ECONNREFUSED');

describe('kafkajs sendMessages (patched)', () => {
  it('after a leader change, sends the moved partition to a broker that already answered, and only it', async () => {
    const leaders = new Map([
      [0, 1],
      [1, 2],
      [2, 1],
    ]);
    const { produced, sequences, send } = cluster(leaders, async ({ nodeId }) => {
      if (nodeId !== 2) return;
      leaders.set(1, 1); // node 2 died: partition 1 is led by node 1 now
      throw refused();
    });
    const answered = await send();
    expect(answered.map((r) => r.partition).sort()).toEqual([0, 1, 2]);
    expect(produced.map((p) => [p.nodeId, p.partitions.map((e) => e.partition)])).toEqual([
      [1, [0, 2]],
      [2, [1]],
      [1, [1]],
    ]);
    // the failed attempt's sequence numbers are taken back: the retry is the same batch to the broker
    expect(produced[2]!.partitions[0]!.firstSequence).toBe(0);
    expect([...sequences.values()]).toEqual([2, 2, 2]);
  });

  it('lets a request still in flight settle before the next attempt, instead of sending it twice', async () => {
    const leaders = new Map([
      [0, 1],
      [1, 2],
      [2, 3],
    ]);
    const { produced, send } = cluster(leaders, async ({ nodeId }) => {
      // node 1 waits for its followers; node 2 is gone at once
      if (nodeId === 1) await new Promise((r) => setTimeout(r, 200));
      if (nodeId === 2) {
        leaders.set(1, 3);
        throw refused();
      }
    });
    const answered = await send();
    expect(answered.map((r) => r.partition).sort()).toEqual([0, 1, 2]);
    expect(produced.filter((p) => p.nodeId === 1)).toHaveLength(1);
    expect(produced.flatMap((p) => p.partitions.map((e) => e.partition)).sort()).toEqual([0, 1, 1, 2]);
  });
});
