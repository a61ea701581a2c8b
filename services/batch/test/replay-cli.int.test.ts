import { execFile, spawn } from 'node:child_process';
import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadStackConfig, Logger } from '@lk/common';
import { KafkaClient } from '@lk/kafka';
import { Database, ReplayRuns, StreamJobStore } from '@lk/store';

/**
 * The replay CLI and the batch worker meet bad input and missing dependencies with a clear answer, never a
 * hang: bad arguments exit 2 naming the field, an unreachable Redis fails the start in seconds with the run
 * recorded as failed, a bad worker setting stops start-up naming the variable.
 */
const root = resolve(import.meta.dirname, '..', '..', '..');
const stack = loadStackConfig();
const suffix = randomUUID().slice(0, 8);
const topic = `lk-replay-cli-${suffix}`;
const dir = mkdtempSync(join(tmpdir(), 'lk-replay-cli-'));
const pipelinesFile = join(dir, 'pipelines.yaml');
const pipeline = `replay_cli_${suffix}`;
const database = new Database(stack.databaseUrl);
const kafka = new KafkaClient({
  brokers: stack.kafkaBrokers,
  clientId: 'lk-test',
  logger: new Logger('t', {}, 'error'),
});

beforeAll(async () => {
  writeFileSync(
    pipelinesFile,
    readFileSync(join(root, 'pipelines.yaml'), 'utf8')
      .replaceAll('source: user-events', `source: ${topic}`)
      .replace('- name: user_activity_1m', `- name: ${pipeline}`),
  );
  const admin = kafka.admin();
  await admin.connect();
  await admin.ensureTopics([{ name: topic, partitions: 2 }]);
  await admin.disconnect();
});

afterAll(async () => {
  const ids = (await new ReplayRuns(database).list({ pipeline })).map((run) => run.jobId);
  for (const jobId of ids) await new StreamJobStore(database).deleteJobs(jobId);
  await database.query('delete from replay_runs where pipeline = $1', [pipeline]);
  await database.query('delete from job_definitions where pipeline = $1', [pipeline]);
  await database.close();
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteTopics([topic, `${topic}.dlq`]).catch(() => undefined);
  await admin.disconnect();
  rmSync(dir, { recursive: true, force: true });
});

function node(
  script: string,
  args: string[],
  env: Record<string, string> = {},
  timeout = 60_000,
): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  const started = Date.now();
  return new Promise((done) => {
    execFile(
      process.execPath,
      [join(root, script), ...args],
      { cwd: root, env: { ...process.env, ...env }, timeout },
      (error, stdout, stderr) =>
        done({
          code: error ? ((error as { code?: number }).code ?? null) : 0,
          stdout,
          stderr,
          ms: Date.now() - started,
        }),
    );
  });
}

const replay = (args: string[], env: Record<string, string> = {}) =>
  node('services/batch/dist/cli/replay.js', [...args, '--pipelines-file', pipelinesFile], env);

describe('a run whose records were deleted before it read them', () => {
  it('fails with the deleted range named instead of counting what is left', async () => {
    const prefix = `lk-int-${suffix}`;
    const generated = await node('services/generator/dist/cli/generate.js', [
      ...['--count', '400', '--keys', '20', '--seed', '5', '--topic', topic, '--no-progress'],
    ]);
    expect(generated.code, generated.stderr).toBe(0);
    // the run is recorded (its range snapshotted) while no worker runs, then retention takes the oldest records
    const started = await replay(['--mode', 'batch', '--pipeline', pipeline], {
      REPLAY_QUEUE_PREFIX: prefix,
    });
    expect(started.code, started.stderr).toBe(0);
    const runId = started.stdout.split('\n')[0]!.trim();
    const admin = kafka.admin();
    await admin.connect();
    const end = (await admin.endOffsets(topic)).get(0)!;
    await admin.deleteRecordsBefore(topic, 0, end / 2n);
    await admin.disconnect();
    const worker = spawn(process.execPath, [join(root, 'services/batch/dist/main.js')], {
      cwd: root,
      env: { ...process.env, PIPELINES_FILE: pipelinesFile, BATCH_PORT: '0', REPLAY_QUEUE_PREFIX: prefix },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let log = '';
    worker.stderr.on('data', (chunk: Buffer) => (log += chunk.toString()));
    try {
      const runs = new ReplayRuns(database);
      // the worker starts (Nest, Kafka, Redis), takes the job and reads: slow on a loaded machine, so a deadline
      // of generous slack (not the feature: the run must fail, whenever the worker gets there) inside the
      // test's own timeout; a run that ends otherwise fails at once
      const deadline = Date.now() + 90_000;
      for (let status = await runs.status(runId); status !== 'failed'; status = await runs.status(runId)) {
        if (status === 'completed' || status === 'cancelled' || Date.now() > deadline)
          throw new Error(`the run did not fail (${status}): ${log.slice(-2000)}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      const run = (await runs.get(runId))!;
      expect(run.error).toMatch(new RegExp(`records \\[0, ${end / 2n}\\) of ${topic}\\[0\\] were deleted`));
      expect(run.partitions.find((p) => p.partition === 0)!.done).toBe(false);
    } finally {
      worker.kill('SIGKILL');
      const redis = new Redis(stack.redisUrl);
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length > 0) await redis.del(...keys);
      redis.disconnect();
    }
  }, 150_000);
});

describe('replay CLI and batch worker, hostile cases', () => {
  it('exits 2 naming the field for bad arguments and unknown names', async () => {
    const cases: [string[], RegExp][] = [
      [['--mode', 'stream', '--pipeline', pipeline], /--mode: expected batch or kappa/],
      [['--mode', 'batch'], /--pipeline: expected a pipeline name/],
      [['--mode', 'batch', '--pipeline', 'nope'], /pipeline: no pipeline "nope"/],
      [
        ['--mode', 'batch', '--pipeline', pipeline, '--from', 'last week'],
        /from: must be "earliest" or an ISO-8601/,
      ],
      [
        ['--mode', 'batch', '--pipeline', pipeline, '--definition', join(dir, 'missing.yaml')],
        /--definition: cannot read/,
      ],
      [['status', 'no-such-run'], /no replay run "no-such-run"/],
      [['cutover'], /cutover: needs a run id/],
      [['--mode', 'batch', '--pipeline', pipeline, '--bogus'], /arguments: Unknown option '--bogus'/],
    ];
    for (const [args, message] of cases) {
      const { code, stderr } = await replay(args);
      expect(code, args.join(' ')).toBe(2);
      expect(stderr).toMatch(message);
      expect(stderr).toContain('usage: lk-replay');
    }
  });

  it('fails in seconds when Redis cannot be reached, the run recorded as failed', async () => {
    const before = await new ReplayRuns(database).list({ pipeline });
    const { code, stderr, ms } = await replay(['--mode', 'batch', '--pipeline', pipeline, '--wait'], {
      REDIS_URL: 'redis://127.0.0.1:6390',
    });
    expect(code).toBe(1);
    expect(stderr).toMatch(/^lk-replay: .*(ECONNREFUSED|Connection is closed|closed)/m);
    // never a hang: the whole command (node's start-up and the Kafka snapshot too, which a loaded machine
    // slows) ends well before node()'s 60 s kill
    expect(ms).toBeLessThan(45_000);
    const after = await new ReplayRuns(database).list({ pipeline });
    expect(after.length).toBe(before.length + 1);
    expect(after[0]!.status).toBe('failed');
    expect(after[0]!.error).toMatch(/could not be queued/);
    // "in seconds" is the Redis part, timed by the database: from the run's row to its failure the CLI only
    // queues, which the producer's Redis settings (redisConnection: 3 s connect timeout, three quick retries,
    // no offline queue) bound to seconds; 15 s is generous slack for a loaded machine and still no hang
    expect(after[0]!.finishedAt!.getTime() - after[0]!.createdAt.getTime()).toBeLessThan(15_000);
  });

  it('a worker with a bad setting stops at start-up naming the variable', async () => {
    const { code, stderr } = await node('services/batch/dist/main.js', [], {
      BATCH_CONCURRENCY: 'lots',
      BATCH_PORT: '0',
    });
    expect(code).toBe(1);
    expect(stderr).toContain('"variable":"BATCH_CONCURRENCY"');
    const missing = await node('services/batch/dist/main.js', [], {
      PIPELINES_FILE: join(dir, 'none.yaml'),
      BATCH_PORT: '0',
    });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('"variable":"PIPELINES_FILE"');
  });
});
