// Vitest global setup: which stack the integration and e2e tests run against. Where a Docker engine answers
// (DOCKER_HOST or /var/run/docker.sock) the same components start as containers (testcontainers: Kafka,
// PostgreSQL and Redis modules, Confluent's schema registry as a generic container) and the tests get their
// addresses; otherwise the native stack (infra/local, started by scripts/test.sh) is used as configured.
// LK_TEST_STACK=native|containers forces the choice. The choice is logged as one JSON line.
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { resolve } from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** the stack's addresses when the tests run against containers; empty for the native stack */
    stackEnv: Record<string, string>;
  }
}

const root = resolve(import.meta.dirname, '..');

function log(fields: Record<string, unknown>): void {
  process.stderr.write(
    `${JSON.stringify({ time: new Date().toISOString(), level: 'info', component: 'test-setup', ...fields })}\n`,
  );
}

/** Whether a Docker engine answers its /_ping within a second. */
function dockerAnswers(): Promise<boolean> {
  const host = process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock';
  const target = host.startsWith('unix://')
    ? { socketPath: host.slice('unix://'.length) }
    : (() => {
        const url = new URL(host.replace(/^tcp:/, 'http:'));
        return { host: url.hostname, port: Number(url.port) || 2375 };
      })();
  return new Promise((done) => {
    const probe = request({ ...target, path: '/_ping', method: 'GET', timeout: 1_000 }, (response) => {
      response.resume();
      done(response.statusCode === 200);
    });
    probe.on('timeout', () => probe.destroy());
    probe.on('error', () => done(false));
    probe.end();
  });
}

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const forced = process.env.LK_TEST_STACK;
  if (forced !== undefined && forced !== 'native' && forced !== 'containers')
    throw new Error(`LK_TEST_STACK: expected native or containers, got "${forced}"`);
  const docker = forced === 'native' ? false : await dockerAnswers();
  if (forced === 'containers' && !docker)
    throw new Error('LK_TEST_STACK=containers, but no Docker engine answers');
  if (!docker) {
    log({
      event: 'test stack chosen',
      stack: 'native',
      reason: forced ? 'LK_TEST_STACK' : 'no Docker engine answers',
    });
    project.provide('stackEnv', {});
    return undefined;
  }
  const started = await startContainers();
  log({ event: 'test stack chosen', stack: 'containers', ...started.env });
  Object.assign(process.env, started.env);
  project.provide('stackEnv', started.env);
  return started.stop;
}

/** Kafka (the version of .env), the registry beside it, PostgreSQL and Redis; topics, migrations and schemas. */
async function startContainers(): Promise<{ env: Record<string, string>; stop: () => Promise<void> }> {
  const { GenericContainer, Network, Wait } = await import('testcontainers');
  const { KafkaContainer } = await import('@testcontainers/kafka');
  const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
  const { RedisContainer } = await import('@testcontainers/redis');
  const network = await new Network().start();
  const [kafka, postgres, redis] = await Promise.all([
    new KafkaContainer('confluentinc/cp-kafka:7.9.0')
      .withKraft()
      .withNetwork(network)
      .withNetworkAliases('kafka')
      .start(),
    new PostgreSqlContainer('postgres:16')
      .withDatabase('lambdakappa')
      .withUsername('postgres')
      .withPassword('postgres')
      .start(),
    new RedisContainer('redis:7').start(),
  ]);
  const registry = await new GenericContainer('confluentinc/cp-schema-registry:7.7.1')
    .withNetwork(network)
    .withEnvironment({
      SCHEMA_REGISTRY_HOST_NAME: 'schema-registry',
      SCHEMA_REGISTRY_KAFKASTORE_BOOTSTRAP_SERVERS: 'kafka:9092',
      SCHEMA_REGISTRY_LISTENERS: 'http://0.0.0.0:8081',
    })
    .withExposedPorts(8081)
    .withWaitStrategy(Wait.forHttp('/subjects', 8081))
    .start();
  const env = {
    KAFKA_BROKERS: `${kafka.getHost()}:${kafka.getMappedPort(9093)}`,
    SCHEMA_REGISTRY_URL: `http://${registry.getHost()}:${registry.getMappedPort(8081)}`,
    SCHEMA_REGISTRY_FLAVOR: 'confluent',
    DATABASE_URL: postgres.getConnectionUri(),
    REDIS_URL: redis.getConnectionUrl(),
  };
  Object.assign(process.env, env);
  // what `stack.sh up` does natively: the topics of infra/kafka/topics, the migrations, the contract schemas
  const { KafkaClient } = await import('../libs/kafka/src/index');
  const { Logger } = await import('../libs/common/src/index');
  const { Database, migrate } = await import('../libs/store/src/index');
  const { SchemaRegistryClient, registerUserEventSchemas } = await import('../libs/schemas/src/index');
  const admin = new KafkaClient({
    brokers: [env.KAFKA_BROKERS],
    clientId: 'lk-test-setup',
    logger: new Logger('test-setup', {}, 'warn'),
  }).admin();
  await admin.connect();
  await admin.ensureTopics(
    readFileSync(resolve(root, 'infra/kafka/topics'), 'utf8')
      .split('\n')
      .filter((line) => line.trim() && !line.startsWith('#'))
      .map((line) => {
        const [name, partitions, config = ''] = line.trim().split(/\s+/);
        return {
          name: name!,
          partitions: Number(partitions),
          config: Object.fromEntries(
            config
              .split(',')
              .filter(Boolean)
              .map((kv) => kv.split('=') as [string, string]),
          ),
        };
      }),
  );
  await admin.disconnect();
  const database = new Database(env.DATABASE_URL);
  await migrate(database);
  await database.close();
  await registerUserEventSchemas(new SchemaRegistryClient(env.SCHEMA_REGISTRY_URL));
  return {
    env,
    stop: async () => {
      await Promise.all([kafka.stop(), postgres.stop(), redis.stop(), registry.stop()]);
      await network.stop();
    },
  };
}
