import { describe, expect, it } from 'vitest';
import { ConfigError, loadStackConfig, loadStackSettings } from '@lk/common';

describe('loadStackConfig', () => {
  it('defaults to the native stack on loopback', () => {
    expect(loadStackConfig({})).toEqual({
      kafkaBrokers: ['127.0.0.1:9092'],
      schemaRegistryUrl: 'http://127.0.0.1:8081',
      databaseUrl: 'postgres://postgres@127.0.0.1:5432/lambdakappa',
      redisUrl: 'redis://127.0.0.1:6379',
    });
  });

  it('splits a broker list', () => {
    expect(loadStackConfig({ KAFKA_BROKERS: 'a:1, b:2' }).kafkaBrokers).toEqual(['a:1', 'b:2']);
  });

  it.each([
    ['KAFKA_BROKERS', 'localhost', /KAFKA_BROKERS: expected host:port, got "localhost"/],
    ['SCHEMA_REGISTRY_URL', 'not a url', /SCHEMA_REGISTRY_URL: expected a URL/],
    ['DATABASE_URL', 'mysql://x/y', /DATABASE_URL: expected a postgres: or postgresql: URL/],
    ['REDIS_URL', 'http://x', /REDIS_URL: expected a redis: or rediss: URL/],
  ])('names the bad field %s', (field, value, message) => {
    const load = () => loadStackConfig({ [field]: value });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(message);
  });
});

describe('loadStackSettings', () => {
  it('validates only the settings of the components named', () => {
    expect(loadStackSettings(['postgres'], { KAFKA_BROKERS: 'localhost' })).toEqual({
      databaseUrl: 'postgres://postgres@127.0.0.1:5432/lambdakappa',
    });
    expect(() => loadStackSettings(['kafka'], { KAFKA_BROKERS: 'localhost' })).toThrow(/KAFKA_BROKERS/);
  });

  it('derives DATABASE_URL from PGHOST/PGPORT/PGUSER/PGPASSWORD/PGDATABASE when it is not set', () => {
    const env = { PGHOST: 'db', PGPORT: '5433', PGUSER: 'lk', PGPASSWORD: 'p@ss', PGDATABASE: 'x' };
    expect(loadStackSettings(['postgres'], env).databaseUrl).toBe('postgres://lk:p%40ss@db:5433/x');
    expect(loadStackSettings(['postgres'], { ...env, DATABASE_URL: 'postgres://a@b/c' }).databaseUrl).toBe(
      'postgres://a@b/c',
    );
    expect(() => loadStackSettings(['postgres'], { PGPORT: 'five' })).toThrow(/PGPORT: expected an integer/);
  });
});
