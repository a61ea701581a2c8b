import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SpeedScenario } from '../src/support/speed-scenario';

const root = resolve(import.meta.dirname, '..', '..');
/** what each service declares in its main.ts: these settings are validated and checked by /health */
const services: Record<string, string[]> = {
  admin: ['kafka', 'registry', 'postgres', 'redis'],
  generator: ['kafka', 'registry'],
  speed: ['kafka', 'registry', 'postgres'],
  batch: ['kafka', 'registry', 'postgres', 'redis'],
  merge: ['postgres'],
};
const running: ChildProcess[] = [];

/**
 * What the services run on, of this file's own: the repository's pipelines renamed and reading a topic of
 * their own (speed writes its rows and consumer groups under those names, merge and admin know only them), a
 * replay queue prefix nobody else uses (the batch worker takes no other suite's jobs). With the defaults they
 * would run the demo's pipelines on `user-events` and share the `bull` queue. `cleanup` removes it all.
 */
const queuePrefix = `lk-health-${randomUUID().slice(0, 8)}`;
const scenario = new SpeedScenario('health', { REPLAY_QUEUE_PREFIX: queuePrefix });
const ownEnv = { PIPELINES_FILE: scenario.pipelinesFile, REPLAY_QUEUE_PREFIX: queuePrefix };

beforeAll(() => scenario.createTopics());
afterAll(() => scenario.cleanup(), 200_000);

afterEach(async () => {
  // a requested stop: the speed jobs leave their consumer groups, so the cleanup can delete them
  await Promise.all(running.splice(0).map((child) => stop(child)));
});

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((done) => child.once('exit', done));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

interface Started {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
}

function start(service: string, env: Record<string, string>): Started {
  const child = spawn(process.execPath, [resolve(root, 'services', service, 'dist', 'main.js')], {
    env: { ...process.env, [`${service.toUpperCase()}_PORT`]: '0', ...ownEnv, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return { child, stdout: () => stdout, stderr: () => stderr };
}

function jsonLines(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** 60 s: a service's start (Nest, its clients, the dependency checks) takes seconds on a loaded 2-core machine. */
async function waitFor<T>(probe: () => T | undefined, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function urlOf(service: Started): Promise<string> {
  return waitFor(() => /"event":"service started","url":"([^"]+)"/.exec(service.stderr())?.[1]);
}

async function exitOf(service: Started): Promise<number | null> {
  if (service.child.exitCode !== null) return service.child.exitCode;
  return new Promise((done) => service.child.on('exit', done));
}

// above waitFor's 60 s for a start, so that a slow start fails with its own message, not the test's time-out
describe('every service starts and answers GET /health', { timeout: 120_000 }, () => {
  it.each(Object.entries(services))('%s: 200 when every dependency it uses answers', async (name, deps) => {
    const service = start(name, {});
    const response = await fetch(`${await urlOf(service)}/health`);
    const report = (await response.json()) as Record<string, unknown>;
    expect(response.status, JSON.stringify(report)).toBe(200);
    expect(report).toMatchObject({ status: 'ok', service: name, failing: [] });
    expect(Object.keys(report.checks as object).sort()).toEqual([...deps].sort());
    // logs are JSON lines on stderr, Nest's own included; stdout stays empty
    expect(service.stdout()).toBe('');
    expect(() => jsonLines(service.stderr())).not.toThrow();
  });

  it('answers 503 naming postgres when DATABASE_URL points to a closed port, and stays up', async () => {
    const service = start('merge', { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/lambdakappa' });
    const url = await urlOf(service);
    for (let attempt = 0; attempt < 2; attempt++) {
      const response = await fetch(`${url}/health`);
      expect(response.status).toBe(503);
      expect(await response.json()).toMatchObject({
        status: 'failing',
        failing: ['postgres'],
        checks: { postgres: { status: 'failing', error: expect.stringContaining('ECONNREFUSED') } },
      });
    }
    // the failure is logged once, when it starts, not on every probe
    const warnings = jsonLines(service.stderr()).filter((line) => line.event === 'dependency check failing');
    expect(warnings).toEqual([expect.objectContaining({ level: 'warn', check: 'postgres' })]);
    expect(service.child.exitCode).toBeNull();
  });

  it('answers 503 naming kafka with the real cause (ECONNREFUSED), not a timeout, when the broker is down', async () => {
    const healthTimeoutMs = 10_000;
    const service = start('generator', {
      KAFKA_BROKERS: '127.0.0.1:1',
      HEALTH_TIMEOUT_MS: String(healthTimeoutMs),
    });
    const url = await urlOf(service);
    const started = Date.now();
    const response = await fetch(`${url}/health`);
    const elapsed = Date.now() - started;
    expect(response.status).toBe(503);
    const report = (await response.json()) as {
      failing: string[];
      checks: Record<string, { error?: string }>;
    };
    expect(report.failing).toEqual(['kafka']);
    expect(report.checks.kafka!.error).toContain('ECONNREFUSED');
    expect(report.checks.kafka!.error).not.toContain('did not answer');
    // one connection attempt, no retries: well within the check timeout. The bound is the feature, relative to
    // the configured timeout: half of it leaves seconds of slack for a loaded machine, while kafkajs's default
    // retries (5, from 300 ms, doubling) would take about 9 s
    expect(elapsed).toBeLessThan(healthTimeoutMs / 2);
  });

  it('answers 503 naming each failing dependency, within the check timeout', async () => {
    const healthTimeoutMs = 1_500;
    const service = start('admin', {
      REDIS_URL: 'redis://127.0.0.1:1',
      SCHEMA_REGISTRY_URL: 'http://127.0.0.1:1',
      HEALTH_TIMEOUT_MS: String(healthTimeoutMs),
    });
    const url = await urlOf(service);
    const started = Date.now();
    const response = await fetch(`${url}/health`);
    // the feature: the checks run in parallel, each cut at HEALTH_TIMEOUT_MS, so the answer comes within one
    // timeout; the 8 s of slack on top are for the request itself on a loaded 2-core machine
    expect(Date.now() - started).toBeLessThan(healthTimeoutMs + 8_000);
    expect(response.status).toBe(503);
    const report = (await response.json()) as {
      failing: string[];
      checks: Record<string, { status: string }>;
    };
    expect(report.failing.sort()).toEqual(['redis', 'registry']);
    expect(report.checks.kafka!.status).toBe('ok');
    expect(report.checks.postgres!.status).toBe('ok');
  });

  it.each([
    ['speed', 'SPEED_PORT', 'ninety', 'expected an integer, got "ninety"'],
    ['speed', 'KAFKA_BROKERS', 'localhost', 'expected host:port, got "localhost"'],
    ['merge', 'DATABASE_URL', 'mysql://127.0.0.1/x', 'expected a postgres: or postgresql: URL'],
    ['admin', 'REDIS_URL', 'http://127.0.0.1:6379', 'expected a redis: or rediss: URL'],
    ['generator', 'SCHEMA_REGISTRY_URL', 'registry', 'expected a URL'],
    ['merge', 'LOG_LEVEL', 'verbose', 'expected one of debug, info, warn, error'],
    ['speed', 'STARTUP_DEPENDENCY_WAIT_MS', '-1', 'expected 0..86400000, got -1'],
    ['merge', 'KAFKA_BROKERS', 'localhost', 'expected host:port, got "localhost"'],
    ['merge', 'MERGE_COMPARE_INTERVAL_MS', '-5', 'expected 0..604800000, got -5'],
    ['merge', 'MERGE_PIPELINES', 'nope', 'unknown pipeline "nope"'],
    ['admin', 'ADMIN_TOKEN', 'short', 'expected at least 16 characters without spaces'],
    ['admin', 'REPLAY_QUEUE_PREFIX', 'a b', 'expected 1-64 letters, digits'],
  ])(
    '%s refuses to start with a bad %s: exit 1, one JSON line naming it',
    async (name, variable, value, problem) => {
      const service = start(name, { [variable]: value });
      expect(await exitOf(service)).toBe(1);
      const lines = jsonLines(service.stderr());
      expect(lines).toEqual([
        expect.objectContaining({
          level: 'error',
          event: 'start-up failed',
          variable,
          problem: expect.stringContaining(problem),
        }),
      ]);
      expect(service.stdout()).toBe('');
    },
  );

  it('does not validate settings a service does not use (merge ignores REDIS_URL and SCHEMA_REGISTRY_URL)', async () => {
    const service = start('merge', { REDIS_URL: 'localhost', SCHEMA_REGISTRY_URL: 'localhost' });
    expect((await fetch(`${await urlOf(service)}/health`)).status).toBe(200);
  });

  it('derives DATABASE_URL from PGHOST/PGPORT/… when it is not set', async () => {
    const database = new URL(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/lambdakappa');
    const service = start('merge', {
      DATABASE_URL: '',
      PGHOST: database.hostname,
      PGPORT: '1',
      PGUSER: decodeURIComponent(database.username) || 'postgres',
      PGDATABASE: database.pathname.slice(1),
    });
    const response = await fetch(`${await urlOf(service)}/health`);
    // PGPORT=1 is closed: the derived URL is the one in use
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ failing: ['postgres'] });
  });
});
