import { execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadStackConfig } from '@lk/common';
import { DeadLetterHeaders, KafkaClient, consumeUntil } from '@lk/kafka';
import { parsePipelines, resultValuesEqual, type Pipeline } from '@lk/operators';
import { Database } from '@lk/store';
import { ServiceProcess } from '../src/support/service-process';

/**
 * The speed layer against the real stack: a log with disorder, late events, duplicates and poison records,
 * consumed while the service is killed with SIGKILL at random moments and restarted, must end exactly where
 * `lk-window --mode stream` on the generator's JSONL ends, row for row, late event for late event — and an
 * undisturbed second version must end at the same rows.
 */
const root = resolve(import.meta.dirname, '..', '..');
const stack = loadStackConfig();
const suffix = randomUUID().slice(0, 8);
const topic = `lk-speed-e2e-${suffix}`;
const dir = mkdtempSync(join(tmpdir(), 'lk-speed-e2e-'));
const pipelinesFile = join(dir, 'pipelines.yaml');
const jsonl = join(dir, 'events.jsonl');
const kafka = new KafkaClient({ brokers: stack.kafkaBrokers, clientId: 'lk-speed-e2e' });
const database = new Database(stack.databaseUrl);
const processes: ServiceProcess[] = [];
let pipelines: Pipeline[] = [];

/** The repository's pipelines (tumbling, sliding, session), renamed and reading this test's topic. */
function writePipelines(file: string, change: (text: string) => string = (text) => text): void {
  const text = readFileSync(join(root, 'pipelines.yaml'), 'utf8')
    .replaceAll('source: user-events', `source: ${topic}`)
    .replace(/name: (\w+)/g, `name: e2e_${suffix}_$1`);
  writeFileSync(file, change(text));
}

function startSpeed(version: number, file = pipelinesFile): ServiceProcess {
  const speed = new ServiceProcess('speed', {
    PIPELINES_FILE: file,
    SPEED_VERSION: String(version),
    SPEED_SESSION_TIMEOUT_MS: '6000',
    LOG_LEVEL: 'info',
  });
  processes.push(speed);
  return speed;
}

const jobId = (pipeline: Pipeline, version: number): string => `speed:${pipeline.name}:v${version}`;

async function endOffsetTotal(): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return [...(await admin.endOffsets(topic)).values()].reduce((sum, offset) => sum + Number(offset), 0);
  } finally {
    await admin.disconnect();
  }
}

/** Until every pipeline's stored next offsets cover the whole log. */
async function caughtUp(version: number, timeoutMs = 180_000): Promise<void> {
  const total = await endOffsetTotal();
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rows = await database.query<{ job_id: string; consumed: string }>(
      `select job_id, sum(next_offset) as consumed from partition_state where job_id = any($1) group by job_id`,
      [pipelines.map((p) => jobId(p, version))],
    );
    if (rows.length === pipelines.length && rows.every((row) => Number(row.consumed) === total)) return;
    if (Date.now() > deadline)
      throw new Error(`v${version} not caught up with ${total} records: ${JSON.stringify(rows)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

interface ResultRow {
  key: string;
  window_start: number;
  window_end: number;
  values: Record<string, number | null>;
  revision: number;
  final: boolean;
}

async function storedResults(pipeline: Pipeline, version: number): Promise<ResultRow[]> {
  const rows = await database.query<ResultRow & { window_start: string; window_end: string }>(
    `select key, window_start, window_end, values, revision, final from window_results
     where job_id = $1 order by key, window_start, window_end`,
    [jobId(pipeline, version)],
  );
  return rows.map((row) => ({
    ...row,
    window_start: Number(row.window_start),
    window_end: Number(row.window_end),
  }));
}

async function storedLate(pipeline: Pipeline, version: number): Promise<string[]> {
  const rows = await database.query<{ id: string }>(
    `select partition || '@' || "offset" || ':' || window_start || '-' || window_end as id from late_events
     where job_id = $1 order by 1`,
    [jobId(pipeline, version)],
  );
  return rows.map((row) => row.id);
}

/** What the operator library computes over the generator's JSONL, independently of Kafka and Postgres. */
function expectedByLkWindow(pipeline: Pipeline): { results: ResultRow[]; late: string[] } {
  const lateFile = join(dir, `${pipeline.name}.late.jsonl`);
  const output = execFileSync(
    process.execPath,
    [
      join(root, 'libs/operators/dist/cli/lk-window.js'),
      ...['--pipelines', pipelinesFile, '--pipeline', pipeline.name, '--mode', 'stream'],
      ...['--input', jsonl, '--late', lateFile],
    ],
    { encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 },
  );
  const results = output
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as ResultRow)
    .map(({ key, window_start, window_end, values, revision, final }) => ({
      key,
      window_start,
      window_end,
      values,
      revision,
      final,
    }));
  const late = readFileSync(lateFile, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map(
      (line) =>
        JSON.parse(line) as {
          event: { partition: number; offset: number };
          window_start: number;
          window_end: number;
        },
    )
    .map((l) => `${l.event.partition}@${l.event.offset}:${l.window_start}-${l.window_end}`)
    .sort();
  return { results, late };
}

/** Row for row: keys, bounds, revision and finality exactly; values by the library's equality policy. */
function expectSameResults(
  pipeline: Pipeline,
  actual: ResultRow[],
  expected: ResultRow[],
  label: string,
): void {
  expect(actual.length, `${label}: row count`).toBe(expected.length);
  const differing = actual.filter((row, i) => {
    const other = expected[i]!;
    return (
      row.key !== other.key ||
      row.window_start !== other.window_start ||
      row.window_end !== other.window_end ||
      row.revision !== other.revision ||
      row.final !== other.final ||
      !resultValuesEqual(pipeline.aggregations, row.values, other.values)
    );
  });
  expect(differing.slice(0, 3), `${label}: differing rows`).toEqual([]);
}

function generate(count: number, rate: number): Promise<number | null> {
  const child = spawn(
    process.execPath,
    [
      join(root, 'services/generator/dist/cli/generate.js'),
      ...['--count', String(count), '--rate', String(rate), '--keys', '2000', '--seed', '17'],
      ...['--disorder', '10s', '--late-fraction', '0.01', '--lateness', '1m..20m', '--duplicates', '0.005'],
      ...[
        '--event-time-per-second',
        '1h',
        '--start',
        '2026-03-01T00:00:00Z',
        '--topic',
        topic,
        '--jsonl',
        jsonl,
      ],
      '--no-progress',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((done) =>
    child.on('exit', (code) => {
      if (code !== 0) process.stderr.write(stderr);
      done(code);
    }),
  );
}

const poison = [
  { value: Buffer.from('not avro at all'), why: 'WrongMagicByteError' },
  { value: Buffer.from([0, 0, 0, 0x7f, 0x7f, 1, 2, 3]), why: 'UnknownSchemaIdError' },
  { value: null, why: 'NullValueError' },
];

beforeAll(async () => {
  writePipelines(pipelinesFile);
  pipelines = parsePipelines(readFileSync(pipelinesFile, 'utf8'));
  const admin = kafka.admin();
  await admin.connect();
  await admin.ensureTopics([
    { name: topic, partitions: 12 },
    { name: `${topic}.dlq`, partitions: 1 },
  ]);
  await admin.disconnect();
});

afterAll(async () => {
  await Promise.all(processes.map((p) => p.kill()));
  const admin = kafka.admin();
  await admin.connect();
  await admin
    .deleteTopics([
      topic,
      `${topic}.dlq`,
      `${topic}.late`,
      ...pipelines.flatMap((p) => [1, 2].map((v) => `lk.window-results.${p.name}.v${v}`)),
    ])
    .catch(() => undefined);
  await admin.disconnect();
  for (const table of [
    'window_results',
    'late_events',
    'partition_state',
    'session_frontiers',
    'job_definitions',
  ])
    await database.query(`delete from ${table} where job_id like $1`, [`speed:e2e_${suffix}_%`]);
  await database.close();
});

describe('speed layer on the real stack', () => {
  it('stays exactly-once while killed with SIGKILL at five random moments: results = lk-window, late = --late', async () => {
    let speed = startSpeed(1);
    await speed.waitForLog('service started');
    const producing = generate(60_000, 5_000);
    // poison records between good ones, mid-stream
    const producer = kafka.producer();
    await producer.connect();
    await new Promise((r) => setTimeout(r, 2_000));
    for (const [i, { value }] of poison.entries())
      await producer.send(topic, [{ key: `poison-${i}`, value }]);
    await producer.disconnect();
    for (let crash = 0; crash < 5; crash++) {
      await new Promise((r) => setTimeout(r, 1_000 + Math.random() * 2_000));
      await speed.kill();
      speed = startSpeed(1);
      await speed.waitForLog('service started');
    }
    expect(await producing).toBe(0);
    await caughtUp(1);
    for (const pipeline of pipelines) {
      const expected = expectedByLkWindow(pipeline);
      expectSameResults(pipeline, await storedResults(pipeline, 1), expected.results, `${pipeline.name} v1`);
      expect(await storedLate(pipeline, 1), `${pipeline.name} late`).toEqual(expected.late);
      expect(expected.results.length).toBeGreaterThan(1000);
    }
    expect((await storedLate(pipelines[0]!, 1)).length, 'the log has late events').toBeGreaterThan(0);
    // every poison record reached the DLQ with its reason, once per pipeline that read it
    const letters = await consumeUntil(kafka, {
      topics: [`${topic}.dlq`],
      groupId: `lk-speed-e2e-dlq-${suffix}`,
      done: (records) => records.length >= poison.length * pipelines.length,
    });
    expect(new Set(letters.map((l) => l.headers[DeadLetterHeaders.errorClass]))).toEqual(
      new Set(poison.map((p) => p.why)),
    );
    expect(speed.logLines().filter((line) => line.level === 'error')).toEqual([]);
  });

  it('a second version replays from the earliest offset, undisturbed, to the same rows', async () => {
    const v2 = startSpeed(2);
    await caughtUp(2);
    for (const pipeline of pipelines) {
      expectSameResults(
        pipeline,
        await storedResults(pipeline, 2),
        await storedResults(pipeline, 1),
        `${pipeline.name} v2 vs v1`,
      );
      expect(await storedLate(pipeline, 2)).toEqual(await storedLate(pipeline, 1));
    }
    expect(await v2.stop('SIGTERM'), 'SIGTERM: flush, leave the group, exit 0').toBe(0);
    expect(v2.logLines().some((line) => line.event === 'job stopped')).toBe(true);
  });

  it('refuses to start a version with a changed definition, naming the difference', async () => {
    const changedFile = join(dir, 'changed.yaml');
    writePipelines(changedFile, (text) => text.replace('allowedLateness: 1m', 'allowedLateness: 2m'));
    const refused = startSpeed(2, changedFile);
    expect(await refused.exitCode()).toBe(1);
    expect(refused.stderr).toMatch(/already ran with another definition/);
    expect(refused.stderr).toMatch(/allowedLateness: 60000 -> 120000/);
  });
});
