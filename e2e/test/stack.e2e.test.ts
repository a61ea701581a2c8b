import { execFileSync, spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadStackConfig } from '@lk/common';
import { KafkaClient } from '@lk/kafka';
import { SchemaRegistryClient, registerUserEventSchemas, userEventSchemas } from '@lk/schemas';
import { Database } from '@lk/store';

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
