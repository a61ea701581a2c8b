import { EnvReader } from './env-reader';

/** Where the stack's components are. Variable names match docker-compose.yml and infra/local/env.sh. */
export interface StackConfig {
  kafkaBrokers: string[];
  schemaRegistryUrl: string;
  databaseUrl: string;
  redisUrl: string;
}

export function loadStackConfig(env: Record<string, string | undefined> = process.env): StackConfig {
  const read = new EnvReader(env);
  return {
    kafkaBrokers: read.hostPorts('KAFKA_BROKERS', '127.0.0.1:9092'),
    schemaRegistryUrl: read.url('SCHEMA_REGISTRY_URL', 'http://127.0.0.1:8081', ['http:', 'https:']),
    databaseUrl: read.url('DATABASE_URL', 'postgres://postgres@127.0.0.1:5432/lambdakappa', [
      'postgres:',
      'postgresql:',
    ]),
    redisUrl: read.url('REDIS_URL', 'redis://127.0.0.1:6379', ['redis:', 'rediss:']),
  };
}
