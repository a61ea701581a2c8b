import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadStackConfig } from '@lk/common';
import { KafkaClient } from '@lk/kafka';
import { SchemaRegistryClient, registerUserEventSchemas, userEventSchemas } from '@lk/schemas';
import { Database } from '@lk/store';
import { TEST_BROKER_JVM_OPTS } from '../src/support/own-stack';

const root = resolve(import.meta.dirname, '..', '..');
const stack = (command: string) =>
  execFileSync('bash', [resolve(root, 'infra/local/stack.sh'), command], { encoding: 'utf8', stdio: 'pipe' });

describe('native stack', () => {
  const config = loadStackConfig();
  const admin = new KafkaClient({ brokers: config.kafkaBrokers, clientId: 'lk-stack-test' }).admin();
  const database = new Database(config.databaseUrl);

  beforeAll(() => admin.connect());
  afterAll(async () => {
    await admin.disconnect();
    await database.close();
  });

  it('status lists every component with its address as healthy', () => {
    const status = stack('status');
    for (const [component, address] of [
      ['kafka', config.kafkaBrokers[0]],
      ['registry', config.schemaRegistryUrl],
      ['postgres', '/lambdakappa'],
      ['redis', ':6379'],
    ]) {
      expect(status).toMatch(
        new RegExp(`^${component}\\s+\\S*${address!.replace(/[.:/]/g, '\\$&')}\\S*\\s+healthy`, 'm'),
      );
    }
    // the machine's cluster, which this stack reuses: told apart from what up started (unless up had to start
    // it, the machine's PostgreSQL being down then, which makes it this stack's to stop)
    const sharedStackDir = process.env.STACK_DIR || join(root, '.stack');
    expect(status).toMatch(
      existsSync(join(sharedStackDir, 'postgres.pid'))
        ? /^postgres\s+\S+\s+healthy\s+pid \d+, started by stack:up/m
        : /^postgres\s+\S+\s+healthy\s+machine/m,
    );
  });

  it('up is idempotent: a second run reuses what is running', () => {
    const run = spawnSync('bash', [resolve(root, 'infra/local/stack.sh'), 'up'], {
      encoding: 'utf8',
      env: { ...process.env, STACK_SKIP_MIGRATE: '1' },
    });
    expect(run.status).toBe(0);
    expect(run.stderr).toMatch(/kafka: already listening on .*, reusing/);
    expect(run.stderr).toMatch(/registry: already answering at .*, reusing/);
    expect(run.stderr).not.toMatch(/starting|formatting|creating/);
    expect(stack('status')).not.toMatch(/DOWN/);
  });

  it('stops start-up naming the component and the reason when its port is taken by something else', () => {
    const run = spawnSync('bash', [resolve(root, 'infra/local/stack.sh'), 'up'], {
      encoding: 'utf8',
      // Redis holds this port: answers, but is no schema registry
      env: { ...process.env, STACK_SKIP_MIGRATE: '1', REGISTRY_PORT: '6379', SCHEMA_REGISTRY_URL: '' },
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(
      /FAILED: registry: port 6379 is taken by something that is not a schema registry/,
    );
  });

  it('created the contract topics: user-events with 12 partitions and 30-day retention, DLQ, late output', async () => {
    const events = await admin.describeTopic('user-events', ['retention.ms']);
    expect(events).toEqual({ partitions: 12, config: { 'retention.ms': String(30 * 24 * 3600 * 1000) } });
    expect((await admin.describeTopic('user-events.dlq', [])).partitions).toBeGreaterThan(0);
    expect((await admin.describeTopic('user-events.late', [])).partitions).toBeGreaterThan(0);
  });

  it('registered the contract schemas, v1 then v2, under user-events-value with BACKWARD', async () => {
    const registry = new SchemaRegistryClient(config.schemaRegistryUrl);
    const [v1, v2] = userEventSchemas();
    const latest = await registry.latestSchema('user-events-value');
    expect(latest?.version).toBe(2);
    expect(latest?.schema).toEqual(v2);
    expect(await registry.compatibilityOf('user-events-value')).toBe('BACKWARD');
    // registering again returns the existing ids, in version order: what keeps old records decodable
    const ids = await registerUserEventSchemas(registry);
    expect(ids.latest).toBe(latest?.id);
    expect(ids.byVersion.get(1)).toBeLessThan(ids.byVersion.get(2)!);
    expect((await registry.writerType(ids.byVersion.get(1)!))?.toJSON()).toMatchObject({
      fields: v1!.fields.map((f) => ({ name: f.name })),
    });
  });

  it('created the database and applied the migrations', async () => {
    const tables = await database.query<{ table_name: string }>(
      "select table_name from information_schema.tables where table_schema = 'public' order by 1",
    );
    expect(tables.map((t) => t.table_name)).toEqual(
      expect.arrayContaining(['late_events', 'partition_state', 'schema_migrations', 'window_results']),
    );
  });
});

// ---------------------------------------------------------------------------------------------------------
// Stacks of their own: another STACK_DIR and other ports, so these tests never touch the shared stack
// (PostgreSQL on the machine's port is reused by them, as by every `up`, and therefore never stopped; or, with
// POSTGRES_OWN=1, each has a cluster of its own).

interface Run {
  status: number | null;
  stderr: string;
}

const stackScript = resolve(root, 'infra/local/stack.sh');

function runStack(command: string, env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((done, reject) => {
    const child = spawn('bash', [stackScript, command], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (status) => done({ status, stderr }));
  });
}

function isolatedEnv(stackDir: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    STACK_DIR: stackDir,
    STACK_SKIP_MIGRATE: '1',
    KAFKA_PORT: '29092',
    KAFKA_CONTROLLER_PORT: '29093',
    KAFKA_BROKERS: '',
    REGISTRY_PORT: '28081',
    REGISTRY_MANAGEMENT_PORT: '29000',
    SCHEMA_REGISTRY_URL: '',
    REDIS_PORT: '26379',
    REDIS_URL: '',
    KAFKA_JVM_OPTS: TEST_BROKER_JVM_OPTS,
    ...extra,
  };
}

const count = (text: string, pattern: RegExp) => text.match(new RegExp(pattern, 'g'))?.length ?? 0;

const portOpen = (port: number) =>
  new Promise<boolean>((done) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      done(true);
    });
    socket.once('error', () => done(false));
  });

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const recordedPid = (stackDir: string, name: string) =>
  Number(readFileSync(join(stackDir, `${name}.pid`), 'utf8').split(' ')[0]);

// POSTGRES_OWN=1: PostgreSQL too is the stack's own (initdb'd under its STACK_DIR, on a port of its own), so
// restart-postgres and down restart and stop that cluster and never the machine's, which other suites share.
describe('native stack on its own STACK_DIR and ports, with a PostgreSQL cluster of its own (POSTGRES_OWN=1)', () => {
  const ownPostgres = 25432;
  const machine = new Database(loadStackConfig().databaseUrl, { max: 1 });
  const psql = (sql: string) =>
    execFileSync(
      'psql',
      ['-h', '127.0.0.1', '-p', String(ownPostgres), '-U', 'postgres', '-d', 'lambdakappa', '-tAc', sql],
      { encoding: 'utf8' },
    ).trim();
  let stackDir = '';
  let env: NodeJS.ProcessEnv = {};
  beforeAll(() => {
    stackDir = mkdtempSync(join(tmpdir(), 'lk-stack-'));
    env = isolatedEnv(stackDir, {
      POSTGRES_OWN: '1',
      PGHOST: '127.0.0.1',
      PGPORT: String(ownPostgres),
      PGUSER: 'postgres',
      PGDATABASE: 'lambdakappa',
      DATABASE_URL: '',
    });
  });

  afterAll(async () => {
    await runStack('down', env);
    await machine.close();
    rmSync(stackDir, { recursive: true, force: true });
  });

  it('two concurrent ups start one broker, one registry, one Redis, one own PostgreSQL and format storage once', async () => {
    const runs = await Promise.all([runStack('up', env), runStack('up', env)]);
    for (const run of runs) expect(run.status, run.stderr).toBe(0);
    const stderr = runs.map((run) => run.stderr).join('\n');
    expect(count(stderr, /kafka: formatting KRaft storage/)).toBe(1);
    expect(count(stderr, /kafka: starting/)).toBe(1);
    expect(count(stderr, /registry: starting/)).toBe(1);
    expect(count(stderr, /redis: not answering .*, starting/)).toBe(1);
    // the own cluster: initialised and started on its port once, with the database
    expect(
      count(stderr, /postgres: initialising a cluster of this stack's own in .*\/pg-data \(once\)/),
    ).toBe(1);
    expect(count(stderr, /postgres: starting this stack's own cluster \(.*\) on 127\.0\.0\.1:25432/)).toBe(1);
    expect(count(stderr, /postgres: creating database lambdakappa/)).toBe(1);
    expect(existsSync(join(stackDir, 'pg-data', 'PG_VERSION'))).toBe(true);
    expect(psql('select current_database()')).toBe('lambdakappa');
    // the second one waited for the lock, then found everything healthy
    const second = runs.find((run) => /waiting for it to finish/.test(run.stderr));
    expect(second?.stderr).toMatch(/kafka: already listening on 127\.0\.0\.1:29092, reusing/);
    expect(second?.stderr).toMatch(/registry: already answering at http:\/\/127\.0\.0\.1:28081, reusing/);
    expect(second?.stderr).toMatch(/postgres: own cluster already answering on 127\.0\.0\.1:25432, reusing/);
    expect(second?.stderr).not.toMatch(/starting|formatting|initialising|creating/);
  });

  it('status tells what this stack started from what the machine runs', () => {
    const status = execFileSync('bash', [stackScript, 'status'], { env, encoding: 'utf8' });
    expect(status).toMatch(/^kafka\s+127\.0\.0\.1:29092\s+healthy\s+pid \d+, started by stack:up/m);
    expect(status).toMatch(/^registry\s+\S+:28081\s+healthy\s+pid \d+, started by stack:up/m);
    expect(status).toMatch(/^redis\s+127\.0\.0\.1:26379\s+healthy\s+pid \d+, started by stack:up/m);
    // the own cluster (the machine's, which up reuses, is told as `machine` by the shared stack's status)
    expect(status).toMatch(
      new RegExp(
        `^postgres\\s+127\\.0\\.0\\.1:25432/lambdakappa\\s+healthy\\s+pid ${recordedPid(stackDir, 'postgres')}, started by stack:up`,
        'm',
      ),
    );
  });

  it("restart-postgres restarts its own cluster under a new postmaster, never the machine's", async () => {
    // a connection to the machine's cluster opened before: still the same session afterwards
    const held = await machine.pool.connect();
    try {
      const session = 'select pg_backend_pid() as backend, pg_postmaster_start_time()::text as started';
      const before = (await held.query(session)).rows[0];
      const postmaster = recordedPid(stackDir, 'postgres');
      const run = await runStack('restart-postgres', env);
      expect(run.status, run.stderr).toBe(0);
      expect(run.stderr).toMatch(/postgres: restarting this stack's own cluster/);
      expect(run.stderr).not.toMatch(/local cluster/);
      const restarted = recordedPid(stackDir, 'postgres');
      expect(restarted).not.toBe(postmaster);
      expect(alive(postmaster)).toBe(false);
      expect(alive(restarted)).toBe(true);
      expect(psql('select 1')).toBe('1');
      expect((await held.query(session)).rows[0]).toEqual(before);
    } finally {
      held.release();
    }
  });

  it("down stops what up started, Redis and its own PostgreSQL included, and leaves the machine's answering", async () => {
    const postmaster = recordedPid(stackDir, 'postgres');
    const pids = ['kafka', 'registry', 'redis'].map((name) => recordedPid(stackDir, name));
    const run = await runStack('down', env);
    expect(run.status, run.stderr).toBe(0);
    for (const name of ['registry', 'kafka', 'redis'])
      expect(run.stderr).toMatch(new RegExp(`${name}: stopping pid \\d+`));
    expect(run.stderr).toMatch(new RegExp(`postgres: stopping pid ${postmaster}`));
    for (const pid of [...pids, postmaster]) expect(alive(pid)).toBe(false);
    for (const port of [29092, 28081, 26379, ownPostgres]) expect(await portOpen(port)).toBe(false);
    expect(await portOpen(5432)).toBe(true);
    expect(await machine.query('select 1 as one')).toEqual([{ one: 1 }]);
  });
});

// A stack of its own for this one: the broker may halt while its data directory is gone (a checkpoint or a
// metadata write finding it missing), so the other tests must not depend on the broker it leaves behind.
describe('native stack with its kafka-data moved away under the running broker', () => {
  let stackDir = '';
  let env: NodeJS.ProcessEnv = {};
  beforeAll(async () => {
    stackDir = mkdtempSync(join(tmpdir(), 'lk-stack-'));
    env = isolatedEnv(stackDir);
    const up = await runStack('up', env);
    expect(up.status, up.stderr).toBe(0);
  });

  afterAll(async () => {
    await runStack('down', env);
    rmSync(stackDir, { recursive: true, force: true });
  });

  it('reports a missing kafka-data under the running broker instead of reusing or re-formatting', async () => {
    const data = join(stackDir, 'kafka-data');
    renameSync(data, data + '.moved');
    try {
      const run = await runStack('up', env);
      expect(run.status).toBe(1);
      expect(run.stderr).toMatch(
        new RegExp(
          `FAILED: kafka: the broker started from .* is running \\(pid ${recordedPid(stackDir, 'kafka')}\\), ` +
            'but its data directory .*kafka-data is missing',
        ),
      );
      expect(run.stderr).not.toMatch(/: (formatting|starting)/);
      // stack.sh formats by writing meta.properties; the broker itself may recreate the bare directory (a
      // checkpoint written after the move), which is not what this checks
      expect(existsSync(join(data, 'meta.properties'))).toBe(false);
    } finally {
      // whatever the broker wrote into a directory it recreated goes; its own data comes back
      rmSync(data, { recursive: true, force: true });
      renameSync(data + '.moved', data);
    }
    // The broker may have halted meanwhile (a checkpoint or metadata write finding its directory gone); with
    // the directory back, up must bring the stack to healthy either way, which the next test relies on.
    const again = await runStack('up', env);
    expect(again.status, again.stderr).toBe(0);
    expect(again.stderr).not.toMatch(/formatting/);
  });
});

describe('native stack safety checks', () => {
  let stackDir = '';
  beforeAll(() => void (stackDir = mkdtempSync(join(tmpdir(), 'lk-stack-'))));
  afterAll(() => rmSync(stackDir, { recursive: true, force: true }));

  it('down does not kill a recorded PID that now belongs to another process', async () => {
    const stranger = spawn('sleep', ['120'], { stdio: 'ignore' });
    try {
      // a start time that is not the stranger's, and a PID file from before start times were recorded
      writeFileSync(join(stackDir, 'kafka.pid'), `${stranger.pid} 1\n`);
      writeFileSync(join(stackDir, 'registry.pid'), `${stranger.pid}\n`);
      const run = await runStack('down', isolatedEnv(stackDir));
      expect(run.status, run.stderr).toBe(0);
      for (const name of ['kafka', 'registry'])
        expect(run.stderr).toMatch(
          new RegExp(
            `${name}: pid ${stranger.pid} is no longer the process stack:up started \\(now: sleep 120`,
          ),
        );
      expect(run.stderr).not.toMatch(/stopping pid/);
      expect(alive(stranger.pid!)).toBe(true);
      expect(existsSync(join(stackDir, 'kafka.pid'))).toBe(false);
    } finally {
      stranger.kill();
    }
  });

  it('without any Java, up stops with a FAILED line naming Java before starting anything', async () => {
    // a PATH with every tool of the machine except those of a JDK
    const bin = join(stackDir, 'bin-without-java');
    mkdirSync(bin);
    for (const dir of ['/usr/local/bin', '/usr/bin', '/bin'])
      for (const name of existsSync(dir) ? readdirSync(dir) : []) {
        const target = join(dir, name);
        if (existsSync(join(bin, name))) continue;
        let real: string;
        try {
          real = realpathSync(target);
        } catch {
          continue;
        }
        if (real.startsWith('/usr/lib/jvm/') || name === 'java') continue;
        symlinkSync(target, join(bin, name));
      }
    const { JAVA_HOME: _javaHome, REGISTRY_JAVA_HOME: _registryJava, ...rest } = isolatedEnv(stackDir);
    const run = await runStack('up', { ...rest, PATH: bin });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^\[stack\] FAILED: java: no Java on PATH; Kafka [\d.]+ needs Java 17\+/m);
    expect(run.stderr).not.toMatch(/starting|formatting/);
  });
});

describe('scripts/test.sh on a running stack', () => {
  it('applies the migrations and registers the contract schemas (stack.sh setup) instead of a no-op', () => {
    const script = readFileSync(resolve(root, 'scripts/test.sh'), 'utf8');
    expect(script).not.toMatch(/STACK_SKIP_MIGRATE=0/);
    expect(script).toMatch(/stack\.sh healthy[\s\S]*bash infra\/local\/stack\.sh setup\n/);
    const run = spawnSync('bash', [stackScript, 'setup'], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/postgres: migrations applied; registry: contract schemas registered/);
    expect(run.stderr).not.toMatch(/starting|creating/);
  });
});
