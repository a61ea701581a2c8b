import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadStackConfig, Logger } from '@lk/common';
import { KafkaClient } from '@lk/kafka';
import { SchemaRegistryClient } from '@lk/schemas';
import { TopicNotFoundError, runGeneration } from '../src/producer';

const config = loadStackConfig();
const quiet = new Logger('generator-it', {}, 'warn');
const kafka = new KafkaClient({ brokers: config.kafkaBrokers, clientId: 'lk-generator-it', logger: quiet });
const registry = new SchemaRegistryClient(config.schemaRegistryUrl);

describe('generator: the topic before the schemas', () => {
  it('registers nothing under <topic>-value when the topic does not exist', async () => {
    const topic = `lk-gen-missing-${randomUUID().slice(0, 8)}`;
    await expect(
      runGeneration({
        generator: { count: 1, rate: 0, seed: 1, startMs: 0 },
        topic,
        registry,
        kafka,
        logger: quiet,
      }),
    ).rejects.toBeInstanceOf(TopicNotFoundError);
    expect(await registry.latestSchema(`${topic}-value`)).toBeNull();
  });
});
