import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Queue } from 'bullmq';
import { loadStackConfig, Logger } from '@lk/common';
import { KafkaClient } from '@lk/kafka';
import { validatePipelines } from '@lk/operators';
import { Database, ReplayRuns, StreamJobStore } from '@lk/store';
import {
  CutoverRefusedError,
  redisConnection,
  REPLAY_QUEUE,
  ReplayLauncher,
  ReplayNotFoundError,
  ReplayRequestError,
} from '@lk/replays';

/**
 * The launcher against the real stack: a run records the snapshot of its topic and queues one flow; every bad
 * request is refused naming the field, before anything is recorded; a cutover is refused with the reason
 * unless the run is a completed Kappa replay within the lag threshold.
 */
const suffix = randomUUID().slice(0, 8);
const topic = `lk-replay-launcher-${suffix}`;
const stack = loadStackConfig();
const logger = new Logger('test', {}, 'error');
const kafka = new KafkaClient({ brokers: stack.kafkaBrokers, clientId: 'lk-test', logger });
const database = new Database(stack.databaseUrl);
const runs = new ReplayRuns(database);
const definition = {
  name: `launcher_${suffix}`,
  source: topic,
  key: 'user_id',
  time: 'ts',
  window: { type: 'tumbling', size: '1m' },
  watermark: { maxOutOfOrderness: '10s' },
  allowedLateness: '1m',
  aggregations: [{ name: 'events', fn: 'count' }],
};
const pipelines = validatePipelines([
  definition,
  { ...definition, name: `launcher_${suffix}_missing`, source: `${topic}-missing` },
]);
// a queue of this run's own: no batch worker of another suite or a demo (default prefix `bull`) takes its jobs,
// and none of theirs are in it
const queuePrefix = `lk-launcher-${suffix}`;
const launcher = new ReplayLauncher({
  kafka,
  database,
  redisUrl: stack.redisUrl,
  pipelines,
  queuePrefix,
  logger,
});
const replayQueue = () =>
  new Queue(REPLAY_QUEUE, { connection: redisConnection(stack.redisUrl), prefix: queuePrefix });
const started: string[] = [];

beforeAll(async () => {
  const admin = kafka.admin();
  await admin.connect();
  await admin.ensureTopics([{ name: topic, partitions: 3 }]);
  await admin.disconnect();
  const producer = kafka.producer();
  await producer.connect();
  await producer.send(
    topic,
    Array.from({ length: 30 }, (_, i) => ({ key: `k${i}`, value: Buffer.from('x'), partition: i % 3 })),
  );
  await producer.disconnect();
});

afterAll(async () => {
  // the whole queue is this run's: every key under its prefix goes
  const queue = replayQueue();
  await queue.obliterate({ force: true });
  await queue.close();
  await launcher.close();
  const store = new StreamJobStore(database);
  for (const id of started) await store.deleteJobs(`batch:${id}`);
  await store.deleteJobs(`speed:launcher_${suffix}`);
  await database.query('delete from replay_runs where pipeline like $1', [`launcher_${suffix}%`]);
  await database.query('delete from serving_versions where pipeline like $1', [`launcher_${suffix}%`]);
  await database.close();
  const admin = kafka.admin();
  await admin.connect();
  await admin
    .deleteTopics([topic, `${topic}.late`, `lk.window-results.launcher_${suffix}.v1`])
    .catch(() => undefined);
  await admin.disconnect();
});

const refusal = async (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    () => undefined,
    (e) => e,
  );

describe('ReplayLauncher', () => {
  it('records a run with its snapshot of the topic and queues its flow', async () => {
    const run = await launcher.start({ mode: 'batch', pipeline: definition.name });
    started.push(run.id);
    expect(run).toMatchObject({
      mode: 'batch',
      status: 'queued',
      jobId: `batch:${run.id}`,
      groupId: `lk-batch-${run.id}`,
      from: 'earliest',
      version: null,
    });
    expect(run.partitions.map((p) => [p.partition, p.startOffset, p.endOffset])).toEqual([
      [0, 0, 10],
      [1, 0, 10],
      [2, 0, 10],
    ]);
    const queue = replayQueue();
    const parent = await queue.getJob(`run-${run.id}`);
    const counts = await parent!.getDependenciesCount();
    await queue.close();
    // one child per partition, in whatever state
    expect((counts.unprocessed ?? 0) + (counts.processed ?? 0) + (counts.failed ?? 0)).toBe(3);
  });

  it('refuses bad requests naming the field, recording nothing', async () => {
    const before = (await runs.list({ pipeline: definition.name })).length;
    const cases: [Parameters<ReplayLauncher['start']>[0], string, RegExp][] = [
      [{ mode: 'batch', pipeline: 'nope' }, 'pipeline', /no pipeline "nope" \(defined: launcher_/],
      [{ mode: 'stream' as 'batch', pipeline: definition.name }, 'mode', /"batch" or "kappa"/],
      [{ mode: 'batch', pipeline: definition.name, from: 'yesterday' }, 'from', /ISO-8601/],
      [{ mode: 'batch', pipeline: definition.name, from: '2026-13-45T99:00:00Z' }, 'from', /ISO-8601/],
      [{ mode: 'batch', pipeline: definition.name, definition }, 'definition', /only a kappa replay/],
      [
        { mode: 'kappa', pipeline: definition.name, definition: { ...definition, allowedLateness: 'soon' } },
        'definition',
        /allowedLateness/,
      ],
      [
        { mode: 'kappa', pipeline: definition.name, definition: { ...definition, name: 'other' } },
        'definition',
        /keeps its name/,
      ],
      [{ mode: 'batch', pipeline: `launcher_${suffix}_missing` }, 'pipeline', /does not exist/],
    ];
    for (const [request, field, message] of cases) {
      const error = await refusal(launcher.start(request));
      expect(error, JSON.stringify(request)).toBeInstanceOf(ReplayRequestError);
      expect((error as ReplayRequestError).field).toBe(field);
      expect((error as Error).message).toMatch(message);
    }
    expect((await runs.list({ pipeline: definition.name })).length).toBe(before);
    expect(await refusal(launcher.get('no-such-run'))).toBeInstanceOf(ReplayNotFoundError);
  });

  it('refuses a cutover with the reason unless the run is a completed Kappa replay within the lag', async () => {
    const batch = started[0]!;
    expect(String(await refusal(launcher.cutover(batch)))).toMatch(/only a Kappa replay/);
    const kappa = await launcher.start({ mode: 'kappa', pipeline: definition.name });
    expect(kappa.version).toBe(1);
    expect(kappa.groupId).toBe(`lk-speed-launcher_${suffix}-v1`);
    const notDone = await refusal(launcher.cutover(kappa.id));
    expect(notDone).toBeInstanceOf(CutoverRefusedError);
    expect(String(notDone)).toMatch(/is queued, not completed/);
    // completed, but nothing of the topic is in its partition state: 30 records behind
    await runs.cancel(kappa.id);
    await database.query(`update replay_runs set status = 'completed' where id = $1`, [kappa.id]);
    expect(String(await refusal(launcher.cutover(kappa.id, 10)))).toMatch(
      /30 records behind the log end \(at most 10\)/,
    );
    const serving = await launcher.cutover(kappa.id, 30);
    expect(serving).toMatchObject({ pipeline: definition.name, version: 1, runId: kappa.id, until: null });
    expect((await launcher.servingHistory(definition.name)).map((s) => s.version)).toEqual([1]);
    const queue = replayQueue();
    await queue.remove(`run-${kappa.id}`, { removeChildren: true }).catch(() => 0);
    await queue.close();
  });
});
