import { ServiceUnavailableException } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import { Logger } from '@lk/common';
import { LagService } from '../src/lag/lag.service';
import type { StackClients } from '../src/stack/stack-clients';

/** Two speed jobs on `events-a` and one on `events-b`, each partition of each job 5 records behind. */
const jobs = [
  { pipeline: 'a', version: 1, job_id: 'speed:a:v1', topic: 'events-a', serving: true },
  { pipeline: 'a', version: 2, job_id: 'speed:a:v2', topic: 'events-a', serving: false },
  { pipeline: 'b', version: 1, job_id: 'speed:b:v1', topic: 'events-b', serving: true },
];
const states = jobs.flatMap((job) =>
  [0, 1].map((partition) => ({ job_id: job.job_id, partition, next_offset: '5', watermark: '1000' })),
);

/** A Kafka the test steers: its topics, and whether it answers at all. */
interface FakeKafka {
  topics: Set<string>;
  down: boolean;
}

const refused = () => new Error('Connection error: connect ECONNREFUSED 127.0.0.1:9092');

/**
 * The service over a database answering `jobs` and `states`, and a Kafka holding `topics` whose end offsets
 * `endOffsets` answers (an Error is thrown); it may change the Kafka as it answers, as another process would.
 */
function harness(
  topics: string[],
  endOffsets: (topic: string, kafka: FakeKafka) => Map<number, bigint> | Error,
) {
  const lines: Record<string, unknown>[] = [];
  const kafka: FakeKafka = { topics: new Set(topics), down: false };
  const listTopics = async (): Promise<string[]> => {
    if (kafka.down) throw refused();
    return [...kafka.topics];
  };
  const admin = {
    connect: async () => {
      if (kafka.down) throw refused();
    },
    disconnect: async () => undefined,
    listTopics,
    topicExists: async (topic: string) => (await listTopics()).includes(topic),
    endOffsets: async (topic: string) => {
      const answer = endOffsets(topic, kafka);
      if (answer instanceof Error) throw answer;
      return answer;
    },
  };
  let queries = 0;
  const stack = {
    logger: new Logger('admin', {}, 'info', (line) =>
      lines.push(JSON.parse(line) as Record<string, unknown>),
    ),
    database: { query: async () => (queries++ === 0 ? jobs : states) },
    kafka: { admin: () => admin },
  };
  return { service: new LagService(stack as unknown as StackClients), kafka, lines };
}

const tenEach = () =>
  new Map([
    [0, 10n],
    [1, 10n],
  ]);

describe('LagService', () => {
  it('answers every job; one deleted between the listing and its end offsets is listed without them', async () => {
    const { service, lines } = harness(['events-a', 'events-b'], (topic, kafka) => {
      if (topic === 'events-a') return tenEach();
      // someone else deletes events-b after it was seen to exist, before its end offsets are read
      kafka.topics.delete(topic);
      return new Error('This server does not host this topic-partition');
    });
    const lag = await service.lag();
    expect(lag.map((job) => [job.jobId, job.lag, job.partitions.length])).toEqual([
      ['speed:a:v1', 10, 2],
      ['speed:a:v2', 10, 2],
      ['speed:b:v1', 0, 0],
    ]);
    expect(lag[0]!.partitions).toEqual([
      { partition: 0, endOffset: 10, nextOffset: 5, lag: 5, watermark: 1000 },
      { partition: 1, endOffset: 10, nextOffset: 5, lag: 5, watermark: 1000 },
    ]);
    expect(lag[2]).toMatchObject({ pipeline: 'b', topic: 'events-b', serving: true, partitions: [] });
    // a topic that is gone is no trouble of Kafka's: nothing logged, as for a topic that never existed
    expect(lines).toEqual([]);
  });

  it('lists the jobs of a topic whose end offsets fail while it still exists without them, and says why', async () => {
    const { service, lines } = harness(['events-a', 'events-b'], (topic) =>
      topic === 'events-a' ? new Error('no leader for partition 1') : tenEach(),
    );
    const lag = await service.lag();
    expect(lag.map((job) => [job.jobId, job.lag, job.partitions.length])).toEqual([
      ['speed:a:v1', 0, 0],
      ['speed:a:v2', 0, 0],
      ['speed:b:v1', 10, 2],
    ]);
    expect(lines).toEqual([
      expect.objectContaining({
        level: 'warn',
        event: 'log end of a topic unknown',
        topic: 'events-a',
        error: expect.objectContaining({ message: 'no leader for partition 1' }),
      }),
    ]);
  });

  it('answers 503 when Kafka does not answer at all', async () => {
    const { service, kafka } = harness(['events-a', 'events-b'], tenEach);
    kafka.down = true;
    const error = await service.lag().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ServiceUnavailableException);
    expect((error as Error).message).toMatch(/Kafka cannot be asked for the log end: .*ECONNREFUSED/);
  });

  it('answers 503 when Kafka stops answering after the listing: not every topic reported without a lag', async () => {
    const { service } = harness(['events-a', 'events-b'], (_topic, kafka) => {
      kafka.down = true;
      return refused();
    });
    await expect(service.lag()).rejects.toBeInstanceOf(ServiceUnavailableException);
  });
});
