import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SpeedScenario } from '../src/support/speed-scenario';

/**
 * The admin API against the real stack: every endpoint's success path and each error class (401/403 without or
 * with a wrong token, 400 naming the field, 404, 409, 413), progress as server-sent events, and a fuzz of
 * malformed requests that gets no 5xx and changes nothing.
 */
const scenario = new SpeedScenario('admin-api');
const token = 'test-token-0123456789abcdef';
let base = '';
const tumbling = () => scenario.pipelines[0]!;

type Answer = { status: number; body: Record<string, unknown> & { field?: string; message?: string } };

async function call(
  method: string,
  path: string,
  options: { body?: unknown; raw?: string; token?: string | null; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { ...options.headers };
  const auth = options.token === undefined ? token : options.token;
  if (auth !== null) headers.authorization = `Bearer ${auth}`;
  let body: string | undefined = options.raw;
  if (options.body !== undefined) body = JSON.stringify(options.body);
  if (body !== undefined) headers['content-type'] ??= 'application/json';
  const response = await fetch(`${base}${path}`, { method, headers, body });
  const text = await response.text();
  let parsed: Answer['body'];
  try {
    parsed = text ? (JSON.parse(text) as Answer['body']) : {};
  } catch {
    parsed = { text };
  }
  return { status: response.status, body: parsed };
}

/** What the API may change (of this scenario's pipelines), counted: a refused request must leave it as it was. */
async function stateCounts(): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  const prefix = `${scenario.pipelinePrefix}%`;
  for (const [name, sql] of [
    ['replay_runs', 'select count(*) as n from replay_runs where pipeline like $1'],
    [
      'replay_partitions',
      'select count(*) as n from replay_partitions p join replay_runs r on r.id = p.run_id where r.pipeline like $1',
    ],
    ['comparisons', 'select count(*) as n from comparisons where pipeline like $1'],
    ['serving_versions', 'select count(*) as n from serving_versions where pipeline like $1'],
    ['job_definitions', 'select count(*) as n from job_definitions where pipeline like $1'],
  ] as const)
    counts[name] = Number((await scenario.database.query<{ n: string }>(sql, [prefix]))[0]!.n);
  return counts;
}

beforeAll(async () => {
  await scenario.createTopics();
  expect(await scenario.generate(5_000, 10_000, { seed: 5, start: '2026-06-01T00:00:00Z' })).toBe(0);
  const speed = scenario.startSpeed(1);
  const worker = scenario.startBatch();
  const admin = scenario.startAdmin({ ADMIN_TOKEN: token });
  await Promise.all([
    speed.waitForLog('service started'),
    worker.waitForLog('replay worker started'),
    admin.waitForLog('service started'),
  ]);
  base = String((await admin.waitForLog('service started')).url);
  await scenario.caughtUp(1);
}, 180_000);
afterAll(() => scenario.cleanup());

describe('admin API', () => {
  it('refuses mutating calls without a token (401) or with a wrong one (403); reads need none', async () => {
    const before = await stateCounts();
    const body = { mode: 'batch', pipelines: [tumbling().name] };
    expect((await call('POST', '/replays', { body, token: null })).status).toBe(401);
    expect((await call('POST', '/replays', { body, token: 'wrong-token-0123456789' })).status).toBe(403);
    expect(
      (await call('POST', '/replays', { body, token: null, headers: { authorization: 'Basic abc' } })).status,
    ).toBe(401);
    expect(
      (await call('POST', '/comparisons', { body: { pipeline: tumbling().name }, token: null })).status,
    ).toBe(401);
    expect((await call('DELETE', '/replays/abc', { token: 'nope' })).status).toBe(403);
    expect((await call('GET', '/replays', { token: null })).status).toBe(200);
    expect(await stateCounts()).toEqual(before);
  });

  it('a batch run: 202 with its id and group, progress as server-sent events to the end, then a comparison', async () => {
    const started = await call('POST', '/replays', { body: { mode: 'batch', pipelines: [tumbling().name] } });
    expect(started.status).toBe(202);
    const id = String(started.body.id);
    scenario.runIds.push(id);
    expect(started.body.groupId).toBe(`lk-batch-${id}`);

    const response = await fetch(`${base}/replays/${id}/events`);
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const reader = response.body!.getReader();
    let text = '';
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    const events = text
      .split('\n\n')
      .filter(Boolean)
      .map((block) => ({
        type: /^event: (.+)$/m.exec(block)?.[1],
        data: JSON.parse(/^data: (.+)$/m.exec(block)![1]!) as {
          status: string;
          progress: { fraction: number };
        },
      }));
    expect(events.at(-1)!.type).toBe('end');
    expect(events.at(-1)!.data.status).toBe('completed');
    expect(events.at(-1)!.data.progress.fraction).toBe(1);
    // progress only grows
    const fractions = events.map((e) => e.data.progress.fraction);
    expect(fractions).toEqual([...fractions].sort((a, b) => a - b));

    const run = await call('GET', `/replays/${id}`);
    expect(run.status).toBe(200);
    expect(run.body).toMatchObject({ id, status: 'completed', mode: 'batch', pipeline: tumbling().name });
    expect((run.body.partitions as unknown[]).length).toBe(12);
    expect((await call('GET', `/replays?pipeline=${tumbling().name}`)).body).toEqual(
      expect.arrayContaining([expect.objectContaining({ id })]),
    );
    // cancelling or cutting over a finished batch run is a conflict
    expect((await call('DELETE', `/replays/${id}`)).status).toBe(409);
    const cutover = await call('POST', `/replays/${id}/cutover`, { body: {} });
    expect(cutover.status).toBe(409);
    expect(cutover.body.message).toContain('only a Kappa replay');

    const comparison = await call('POST', '/comparisons', { body: { pipeline: tumbling().name } });
    expect(comparison.status).toBe(201);
    expect(comparison.body).toMatchObject({
      status: 'completed',
      left: { source: 'lambda' },
      right: { source: 'kappa' },
    });
    const summary = comparison.body.summary as { rows: Record<string, number> };
    expect(summary.rows.unexplained).toBe(0);
    const stored = await call('GET', `/comparisons/${String(comparison.body.id)}?class=explained&rows=5`);
    expect(stored.status).toBe(200);
    expect((stored.body.rows as { class: string }[]).every((row) => row.class === 'explained')).toBe(true);
    expect((stored.body.rows as unknown[]).length).toBe(Math.min(5, summary.rows.explained!));
    const listed = await call('GET', `/comparisons?pipeline=${tumbling().name}`);
    expect((listed.body as unknown as { id: string }[]).map((c) => c.id)).toContain(comparison.body.id);
  });

  it('pipelines, results from each view, lag, schema checks, docs, metrics, health', async () => {
    const pipelines = (await call('GET', '/pipelines')).body as unknown as {
      name: string;
      servingVersion: number;
    }[];
    expect(pipelines.map((p) => p.name)).toEqual(scenario.pipelines.map((p) => p.name));
    expect(pipelines[0]!.servingVersion).toBe(1);

    const stored = await scenario.storedResults(tumbling(), 1);
    const key = stored[0]!.key;
    const kappa = await call('GET', `/pipelines/${tumbling().name}/results?view=kappa&key=${key}`);
    expect(kappa.status).toBe(200);
    expect((kappa.body.rows as { windowStart: number }[]).map((r) => r.windowStart)).toEqual(
      stored.filter((r) => r.key === key).map((r) => r.window_start),
    );
    for (const view of ['lambda', 'speed', 'batch'])
      expect(
        (await call('GET', `/pipelines/${tumbling().name}/results?view=${view}&limit=3`)).body.rows,
      ).toHaveLength(3);
    expect((await call('GET', `/pipelines/${tumbling().name}/results?view=nope`)).body.field).toBe('view');
    expect((await call('GET', '/pipelines/no_such_pipeline/results')).status).toBe(404);

    const lag = (await call('GET', '/lag')).body as unknown as {
      jobId: string;
      lag: number;
      partitions: unknown[];
    }[];
    const job = lag.find((j) => j.jobId === scenario.jobId(tumbling(), 1))!;
    expect(job).toMatchObject({ lag: 0, serving: true });
    expect(job.partitions).toHaveLength(12);

    const avro = (file: string) =>
      JSON.parse(
        readFileSync(join(resolve(import.meta.dirname, '../../libs/schemas/avro'), file), 'utf8'),
      ) as Record<string, unknown>;
    const v2 = await call('POST', '/schemas/check', {
      body: { schema: avro('user-event.v2.avsc') },
      token: null,
    });
    expect(v2.status).toBe(200);
    expect(v2.body.status).toBe('compatible');
    const broken = { ...avro('user-event.v2.avsc') };
    broken.fields = (broken.fields as { name: string }[]).map((f) =>
      f.name === 'amount' ? { ...f, type: 'string' } : f,
    );
    const refused = await call('POST', '/schemas/check', { body: { schema: broken }, token: null });
    expect(refused.body.status).toBe('incompatible');
    expect(JSON.stringify(refused.body.problems)).toContain('amount');

    const docs = await fetch(`${base}/docs`);
    expect(docs.status).toBe(200);
    const openapi = (await (await fetch(`${base}/docs-json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(openapi.paths)).toEqual(
      expect.arrayContaining([
        '/replays',
        '/replays/{id}',
        '/replays/{id}/events',
        '/replays/{id}/cutover',
        '/comparisons',
        '/comparisons/{id}',
        '/pipelines',
        '/pipelines/{name}/results',
        '/lag',
        '/schemas/check',
      ]),
    );
    expect((await fetch(`${base}/metrics`)).status).toBe(200);
    expect((await fetch(`${base}/health`)).status).toBe(200);
  });

  it('answers each bad request with a 4xx naming the problem', async () => {
    const before = await stateCounts();
    const bad = async (
      method: string,
      path: string,
      options: Parameters<typeof call>[2],
      status: number,
      field?: string,
    ) => {
      const answer = await call(method, path, options);
      expect(
        answer.status,
        `${method} ${path} ${JSON.stringify(options)} → ${JSON.stringify(answer.body)}`,
      ).toBe(status);
      if (field) expect(answer.body.field).toBe(field);
      expect(String(answer.body.message).length).toBeGreaterThan(3);
    };
    await bad('POST', '/replays', { body: { mode: 'sideways' } }, 400, 'mode');
    await bad('POST', '/replays', { body: { mode: 'batch', pipelines: ['nope'] } }, 400, 'pipelines');
    await bad('POST', '/replays', { body: { mode: 'batch', pipelines: 'x' } }, 400, 'pipelines');
    await bad('POST', '/replays', { body: { mode: 'batch', from: 'yesterday' } }, 400, 'from');
    await bad('POST', '/replays', { body: { mode: 'batch', extra: 1 } }, 400, 'extra');
    await bad(
      'POST',
      '/replays',
      { body: { mode: 'batch', pipeline: { name: tumbling().name } } },
      400,
      'pipeline',
    );
    await bad(
      'POST',
      '/replays',
      {
        body: {
          mode: 'kappa',
          pipeline: { name: tumbling().name, window: { type: 'tumbling', size: '-1m' } },
        },
      },
      400,
      'definition',
    );
    await bad('POST', '/replays', { raw: '{"mode": "batch",' }, 400);
    await bad('POST', '/replays', { raw: JSON.stringify({ mode: 'batch', pad: 'x'.repeat(300_000) }) }, 413);
    await bad('GET', '/replays/does-not-exist', {}, 404);
    await bad('GET', '/replays/bad%20id!', {}, 400, 'id');
    await bad('GET', '/replays?limit=0', {}, 400, 'limit');
    await bad('POST', '/replays/does-not-exist/cutover', { body: {} }, 404);
    await bad('POST', '/replays/x/cutover', { body: { maxLag: -1 } }, 400, 'maxLag');
    await bad('POST', '/comparisons', { body: { pipeline: tumbling().name, left: 'lamda' } }, 400, 'left');
    await bad('POST', '/comparisons', { body: {} }, 400, 'pipeline');
    await bad('GET', '/comparisons/nope', {}, 404);
    await bad('GET', '/comparisons/x?class=equal', {}, 400, 'class');
    await bad('POST', '/schemas/check', { body: { schema: { type: 'string' } } }, 400, 'schema');
    await bad('GET', '/nowhere', {}, 404);
    expect(await stateCounts()).toEqual(before);
  });

  it('fuzz: 240 malformed requests, no 5xx, nothing changed', async () => {
    const before = await stateCounts();
    let seed = 17;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const values: unknown[] = [
      null,
      true,
      0,
      -1,
      1e308,
      'x',
      '',
      'x'.repeat(5000),
      [],
      [1, 2],
      {},
      { a: { b: { c: [null] } } },
      '../../etc/passwd',
      "'; drop table replay_runs; --",
      '\u0000',
      'earliest',
      'kappa',
      'lambda',
      'speed:v999999999',
      'batch:latest',
    ];
    const paths = [
      '/replays',
      '/replays/x',
      '/replays/%00',
      '/replays/x/events',
      '/replays/x/cutover',
      '/comparisons',
      '/comparisons/x',
      '/pipelines/x/results',
      '/schemas/check',
      '/lag',
      '/pipelines',
    ];
    const methods = ['GET', 'POST', 'DELETE', 'PUT', 'PATCH'];
    const fields = [
      'mode',
      'pipelines',
      'pipeline',
      'from',
      'left',
      'right',
      'schema',
      'subject',
      'maxLag',
      'x',
    ];
    const failures: string[] = [];
    for (let i = 0; i < 240; i++) {
      const method = methods[random(methods.length)]!;
      const path = paths[random(paths.length)]!;
      const body: Record<string, unknown> = {};
      for (let f = random(4); f > 0; f--)
        body[fields[random(fields.length)]!] = values[random(values.length)];
      // never a valid mutation: a wrong token, none, or a body that fails validation
      const tokenChoice = [null, 'wrong-token-0123456789', token][random(3)]!;
      // fetch sends no body with a GET
      const kind = method === 'GET' ? 3 : random(4);
      const options: Parameters<typeof call>[2] = { token: tokenChoice };
      if (kind === 0) options.raw = JSON.stringify(body).slice(0, random(20) + 1);
      else if (kind === 1) options.body = body;
      else if (kind === 2) options.raw = 'not json at all';
      const query = random(2)
        ? `?limit=${String(values[random(values.length)])}&view=${String(values[random(values.length)])}`
        : '';
      if (method === 'POST' && path === '/replays' && tokenChoice === token && kind === 1)
        body.mode = 'sideways';
      if (method === 'POST' && path === '/comparisons' && tokenChoice === token && kind === 1)
        body.left = 'nope';
      if (method === 'POST' && path.endsWith('/cutover') && tokenChoice === token) continue;
      if (method === 'DELETE' && tokenChoice === token) continue;
      if (path.endsWith('/events') && method === 'GET') continue; // a stream: covered above
      const answer = await call(method, `${path}${query}`, options);
      if (answer.status >= 500)
        failures.push(
          `${method} ${path}${query} ${JSON.stringify(options)} → ${answer.status} ${JSON.stringify(answer.body)}`,
        );
    }
    expect(failures).toEqual([]);
    expect(await stateCounts()).toEqual(before);
  }, 120_000);

  it('the lk CLI: replay --watch with per-partition progress, runs, compare, lag, schemas check; exit codes', async () => {
    const lk = (args: string[], env: Record<string, string> = {}) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((done) =>
        execFile(
          process.execPath,
          [resolve(import.meta.dirname, '../../services/admin/dist/cli/lk.js'), ...args],
          { env: { ...process.env, LK_API_URL: base, LK_TOKEN: token, ...env } },
          (error, stdout, stderr) =>
            done({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
        ),
      );
    const pipeline = scenario.pipelines[1]!.name;
    const replay = await lk(['replay', '--mode', 'batch', '--pipeline', pipeline, '--watch']);
    expect(replay.code, replay.stderr).toBe(0);
    const runId = replay.stdout.split(' ')[0]!;
    scenario.runIds.push(runId);
    expect(replay.stdout).toMatch(new RegExp(`^${runId} completed`));
    // not a terminal here: a progress line per tenth, the last one complete
    expect(replay.stderr).toMatch(/\(100\.0 %\)/);
    expect((await lk(['runs'])).stdout).toContain(runId);
    const runs = JSON.parse((await lk(['runs', '--json'])).stdout) as { id: string }[];
    expect(runs.map((r) => r.id)).toContain(runId);

    const compare = await lk(['compare', pipeline]);
    expect(compare.code, compare.stderr).toBe(0);
    expect(compare.stdout).toMatch(/unexplained\s+0/);
    expect(compare.stdout).toContain('scorecard');
    expect((await lk(['lag'])).stdout).toContain(
      `${scenario.jobId(scenario.pipelines[1]!, 1)} (serving): lag 0`,
    );

    const schemaFile = join(scenario.dir, 'broken.avsc');
    const schema = JSON.parse(
      readFileSync(resolve(import.meta.dirname, '../../libs/schemas/avro/user-event.v2.avsc'), 'utf8'),
    ) as { fields: { name: string; type: unknown }[] };
    schema.fields = schema.fields.filter((f) => f.name !== 'ts');
    writeFileSync(schemaFile, JSON.stringify(schema));
    const check = await lk(['schemas', 'check', schemaFile]);
    expect(check.code).toBe(1);
    expect(check.stdout).toContain('incompatible');

    // bad input: the usage (2); the API's 4xx (2) with its message; no token for a mutation (2: 401)
    expect((await lk(['replay', '--mode', 'sideways'])).code).toBe(2);
    const unknown = await lk(['compare', 'no_such_pipeline']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no speed version of no_such_pipeline');
    expect((await lk(['compare', pipeline], { LK_TOKEN: '' })).code).toBe(2);
    expect((await lk(['nope'])).code).toBe(2);
  });

  it('a Kappa replay cut over through the API serves; Bull Board is read-only without the token', async () => {
    const started = await call('POST', '/replays', { body: { mode: 'kappa', pipelines: [tumbling().name] } });
    expect(started.status).toBe(202);
    const id = String(started.body.id);
    scenario.runIds.push(id);
    // until the replay ends (a loaded machine makes it slow: a deadline of generous slack, not a count of
    // polls), and it must have completed: a cutover of an unfinished run would fail for another reason
    let status: unknown;
    for (const deadline = Date.now() + 180_000; Date.now() < deadline;) {
      status = (await call('GET', `/replays/${id}`)).body.status;
      if (status === 'completed' || status === 'failed' || status === 'cancelled') break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(status, `the Kappa replay ${id}`).toBe('completed');
    const cutover = await call('POST', `/replays/${id}/cutover`, { body: { maxLag: 1000 } });
    expect(cutover.status, JSON.stringify(cutover.body)).toBe(200);
    expect(cutover.body).toMatchObject({ pipeline: tumbling().name, version: 2 });
    const pipelines = (await call('GET', '/pipelines')).body as unknown as {
      name: string;
      servingVersion: number;
    }[];
    expect(pipelines.find((p) => p.name === tumbling().name)!.servingVersion).toBe(2);

    expect((await fetch(`${base}/queues`)).status).toBe(200);
    expect((await call('GET', '/queues/api/queues', { token: null })).status).toBe(200);
    const action = `/queues/api/queues/lk-replays/clean/completed`;
    expect((await call('PUT', action, { token: null })).status).toBe(401);
    expect((await call('PUT', action, { token: 'wrong-token-0123456789' })).status).toBe(403);
    expect((await call('PUT', action)).status).toBeLessThan(500);
  });

  it('cancels a queued run (200, cancelled); a second cancel is a conflict', async () => {
    // no worker takes it: the run stays queued
    await Promise.all(
      scenario.processes
        .filter((p) => p.child.spawnargs.some((a) => a.includes('services/batch')))
        .map((p) => p.stop('SIGTERM')),
    );
    const started = await call('POST', '/replays', { body: { mode: 'batch', pipelines: [tumbling().name] } });
    const id = String(started.body.id);
    scenario.runIds.push(id);
    const cancelled = await call('DELETE', `/replays/${id}`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
    expect((await call('DELETE', `/replays/${id}`)).status).toBe(409);
  });
});
