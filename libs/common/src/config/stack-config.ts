import { EnvReader } from './env-reader';

/** Where the stack's components are. Variable names match docker-compose.yml and infra/local/env.sh. */
export interface StackConfig {
  kafkaBrokers: string[];
  schemaRegistryUrl: string;
  databaseUrl: string;
  redisUrl: string;
}

/** The stack's components, as a service names the ones it uses (and so validates and health-checks). */
export type StackDependency = 'kafka' | 'registry' | 'postgres' | 'redis';

export const STACK_DEPENDENCIES: readonly StackDependency[] = ['kafka', 'registry', 'postgres', 'redis'];

const DEFAULT_DATABASE = { host: '127.0.0.1', port: 5432, user: 'postgres', database: 'lambdakappa' };

const readers: { [D in StackDependency]: (read: EnvReader) => Partial<StackConfig> } = {
  kafka: (read) => ({ kafkaBrokers: read.hostPorts('KAFKA_BROKERS', '127.0.0.1:9092') }),
  registry: (read) => ({
    schemaRegistryUrl: read.url('SCHEMA_REGISTRY_URL', 'http://127.0.0.1:8081', ['http:', 'https:']),
  }),
  postgres: (read) => ({ databaseUrl: databaseUrl(read) }),
  redis: (read) => ({ redisUrl: read.url('REDIS_URL', 'redis://127.0.0.1:6379', ['redis:', 'rediss:']) }),
};

/** Every setting, validated; a bad value throws a ConfigError naming its variable. */
export function loadStackConfig(env: Record<string, string | undefined> = process.env): StackConfig {
  return loadStackSettings(STACK_DEPENDENCIES, env) as StackConfig;
}

/**
 * Only the settings of the components named, validated: a service that never talks to Redis must not refuse
 * to start because of REDIS_URL.
 */
export function loadStackSettings(
  dependencies: readonly StackDependency[],
  env: Record<string, string | undefined> = process.env,
): Partial<StackConfig> {
  const read = new EnvReader(env);
  return Object.assign(
    {},
    ...dependencies.map((dependency) => readers[dependency](read)),
  ) as Partial<StackConfig>;
}

/**
 * DATABASE_URL, or — where only libpq's variables are set (PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE,
 * as psql and many hosting setups use) — the URL they describe, so both ways of configuring Postgres work.
 */
function databaseUrl(read: EnvReader): string {
  const fallback = `postgres://${DEFAULT_DATABASE.user}@${DEFAULT_DATABASE.host}:${DEFAULT_DATABASE.port}/${DEFAULT_DATABASE.database}`;
  if (
    read.isSet('DATABASE_URL') ||
    !['PGHOST', 'PGPORT', 'PGUSER', 'PGDATABASE'].some((v) => read.isSet(v))
  ) {
    return read.url('DATABASE_URL', fallback, ['postgres:', 'postgresql:']);
  }
  const host = read.string('PGHOST', DEFAULT_DATABASE.host);
  const port = read.integer('PGPORT', DEFAULT_DATABASE.port, { min: 1, max: 65535 });
  const user = encodeURIComponent(read.string('PGUSER', DEFAULT_DATABASE.user));
  const password = read.isSet('PGPASSWORD') ? `:${encodeURIComponent(read.string('PGPASSWORD'))}` : '';
  const database = encodeURIComponent(read.string('PGDATABASE', DEFAULT_DATABASE.database));
  // a host that is a socket directory (PGHOST=/var/run/postgresql) goes in the query, as libpq reads it
  return host.startsWith('/')
    ? `postgres://${user}${password}@/${database}?host=${encodeURIComponent(host)}&port=${port}`
    : `postgres://${user}${password}@${host.includes(':') ? `[${host}]` : host}:${port}/${database}`;
}
