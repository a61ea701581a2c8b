import { execFile, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadStackConfig, Logger } from '@lk/common';
import { KafkaClient } from '@lk/kafka';
import { Database, migrate } from '@lk/store';

/**
 * Each service as its container image would hold it: `pnpm deploy --prod` of just that service into a folder
 * of its own (its production dependencies and our libs, nothing else of the workspace), started from there
 * against the native stack; /health must answer 200 and SIGTERM must stop it cleanly. A runtime dependency
 * missing from a package.json, or a file read from outside the package, fails here rather than on a user's
 * machine.
 */
const root = resolve(import.meta.dirname, '..', '..');
const out = mkdtempSync(join(tmpdir(), 'lk-deploy-'));
const suffix = randomUUID().slice(0, 8);
// the services run against a database of their own and one pipeline under a name of its own (so its consumer
// group is too): nothing they do reaches the data, groups or comparisons of anyone else on the stack
const stack = loadStackConfig();
const databaseName = `lk_deploy_${suffix}`;
const databaseUrl = Object.assign(new URL(stack.databaseUrl), { pathname: `/${databaseName}` }).toString();
const pipeline = `deploy_${suffix}`;
const pipelinesFile = join(out, 'pipelines.yaml');
const admin = new Database(stack.databaseUrl);

beforeAll(async () => {
  await admin.query(`create database ${databaseName}`);
  const database = new Database(databaseUrl);
  await migrate(database);
  await database.close();
  const [first] = readFileSync(join(root, 'pipelines.yaml'), 'utf8')
    .split(/\n(?=- name:)/)
    .slice(1);
  writeFileSync(pipelinesFile, first!.replace(/^- name: \w+/, `- name: ${pipeline}`));
});

afterAll(async () => {
  await admin.query(`drop database if exists ${databaseName} with (force)`);
  await admin.close();
  const kafka = new KafkaClient({
    brokers: stack.kafkaBrokers,
    clientId: 'lk-deploy-test',
    logger: new Logger('test', {}, 'error'),
  }).admin();
  await kafka.connect();
  await kafka.deleteGroups([`lk-speed-${pipeline}-v1`]).catch(() => undefined);
  await kafka.disconnect();
  rmSync(out, { recursive: true, force: true });
});

async function startFrom(folder: string, service: string, env: Record<string, string>) {
  const child = spawn(process.execPath, ['dist/main.js'], {
    cwd: folder,
    env: { ...process.env, [`${service.toUpperCase()}_PORT`]: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  const deadline = Date.now() + 60_000;
  let url: string | undefined;
  while (!url) {
    url = /"event":"service started","url":"([^"]+)"/.exec(stderr)?.[1];
    if (child.exitCode !== null)
      throw new Error(`${service} exited ${child.exitCode}:\n${stderr.slice(-2000)}`);
    if (Date.now() > deadline) throw new Error(`${service} did not start:\n${stderr.slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url, stop: async () => (child.kill('SIGTERM'), exited), stderr: () => stderr };
}

const services = ['generator', 'speed', 'batch', 'merge', 'admin'];

describe('each service runs from its own `pnpm deploy --prod` folder', () => {
  // the five deploys run side by side, once; each test awaits its own, so a failed deploy fails the test of
  // that service with pnpm's stderr
  const deploys = new Map<string, Promise<void>>();
  beforeAll(async () => {
    for (const service of services)
      deploys.set(
        service,
        promisify(execFile)(
          'pnpm',
          [
            '--filter',
            `@lk/${service}`,
            'deploy',
            '--legacy',
            '--prod',
            '--config.confirmModulesPurge=false',
            join(out, service),
          ],
          { cwd: root, maxBuffer: 16 * 1024 * 1024 },
        ).then(
          () => undefined,
          (error: Error & { code?: number | string; stderr?: string }) => {
            throw new Error(
              `pnpm deploy of @lk/${service} failed (${error.code}):\n${error.stderr || error.message}`,
            );
          },
        ),
      );
    await Promise.all([...deploys.values()].map((deploy) => deploy.catch(() => undefined)));
  }, 300_000);

  for (const service of services) {
    it(`${service}: /health 200, SIGTERM exits 0`, async () => {
      const folder = join(out, service);
      await deploys.get(service);
      const running = await startFrom(folder, service, {
        PIPELINES_FILE: pipelinesFile,
        DATABASE_URL: databaseUrl,
        ADMIN_TOKEN: 'deploy-test-token-0123456789',
        REPLAY_QUEUE_PREFIX: 'lk-deploy-test',
        MERGE_COMPARE_INTERVAL_MS: '0',
      });
      try {
        const health = await fetch(`${running.url}/health`);
        expect(health.status, await health.text()).toBe(200);
        if (service === 'admin') {
          // the dashboard and the chart library it loads ship in the folder too
          for (const path of ['/', '/dashboard.js', '/assets/chart/chart.umd.min.js', '/docs', '/queues'])
            expect((await fetch(`${running.url}${path}`)).status, path).toBe(200);
        }
      } finally {
        expect(await running.stop(), running.stderr().slice(-2000)).toBe(0);
      }
    }, 180_000);
  }
});
