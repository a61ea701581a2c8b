import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

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

afterEach(() => {
  for (const child of running.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

interface Started {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
}

function start(service: string, env: Record<string, string>): Started {
  const child = spawn(process.execPath, [resolve(root, 'services', service, 'dist', 'main.js')], {
    env: { ...process.env, [`${service.toUpperCase()}_PORT`]: '0', ...env },
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

async function waitFor<T>(probe: () => T | undefined, timeoutMs = 20_000): Promise<T> {
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

describe('every service starts and answers GET /health', () => {
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
    const service = start('generator', { KAFKA_BROKERS: '127.0.0.1:1', HEALTH_TIMEOUT_MS: '2000' });
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
    // one connection attempt, no retries: well within the check timeout
    expect(elapsed).toBeLessThan(1_500);
  });

  it('answers 503 naming each failing dependency, within the check timeout', async () => {
    const service = start('admin', {
      REDIS_URL: 'redis://127.0.0.1:1',
      SCHEMA_REGISTRY_URL: 'http://127.0.0.1:1',
      HEALTH_TIMEOUT_MS: '1500',
    });
    const url = await urlOf(service);
    const started = Date.now();
    const response = await fetch(`${url}/health`);
    expect(Date.now() - started).toBeLessThan(5_000);
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
