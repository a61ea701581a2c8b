import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { loadStackConfig, Logger } from '@lk/common';
import { KafkaClient } from '@lk/kafka';
import { SchemaRegistryClient } from '@lk/schemas';

/**
 * The demo's commands, as scripts/demo.sh runs them (built files, default LOG_LEVEL), print no ERROR line
 * when nothing fails: no JSON line at level error, no plain-text error or warning from Node or a client.
 */
const root = resolve(import.meta.dirname, '..', '..');
const config = loadStackConfig();
const topic = `lk-demo-output-${randomUUID().slice(0, 8)}`;
const dir = mkdtempSync(join(tmpdir(), 'lk-demo-output-'));
const env = {
  ...process.env,
  KAFKA_BROKERS: config.kafkaBrokers.join(','),
  SCHEMA_REGISTRY_URL: config.schemaRegistryUrl,
  LOG_LEVEL: '',
};

afterAll(async () => {
  const admin = new KafkaClient({
    brokers: config.kafkaBrokers,
    clientId: 'lk-demo-output-test',
    logger: new Logger('test', {}, 'error'),
  }).admin();
  await admin.connect();
  await admin.deleteTopics([topic]).catch(() => undefined);
  await admin.disconnect();
  await new SchemaRegistryClient(config.schemaRegistryUrl)
    .deleteSubject(`${topic}-value`)
    .catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});

const run = (args: string[]) =>
  promisify(execFile)(process.execPath, args, { cwd: root, env, maxBuffer: 64 * 1024 * 1024 });

/** lines that read as a failure: a JSON log line at error, or plain text saying error/unhandled/warning */
function alarming(output: string): string[] {
  return output
    .split('\n')
    .filter(
      (line) =>
        line.includes('"level":"error"') ||
        /\bERROR\b|^\s*(\w*Error|Unhandled|\(node:\d+\) \w*Warning)\b/.test(line),
    );
}

describe('the demo prints no ERROR line when nothing fails', () => {
  it('smoke flow (one event through registry, Kafka, Avro, PostgreSQL, BullMQ)', async () => {
    const { stdout, stderr } = await run(['e2e/dist/cli/smoke.js']);
    expect(stdout).toContain('redis / bullmq');
    expect(alarming(stdout + stderr)).toEqual([]);
  });

  it('lk-generate with the demo options (its info lines on stderr, the JSON summary on stdout)', async () => {
    const { stdout, stderr } = await run([
      'services/generator/dist/cli/generate.js',
      ...['--topic', topic, '--create-topic', '--count', '5000', '--rate', '0', '--keys', '2000'],
      ...['--zipf', '1.1', '--disorder', '5s', '--late-fraction', '0.01', '--lateness', '1m..10m'],
      ...['--duplicates', '0.005', '--v1-fraction', '0.2', '--event-time-per-second', '1h'],
      ...['--jsonl', join(dir, 'events.jsonl')],
    ]);
    expect(JSON.parse(stdout)).toMatchObject({ sent: 5000, interrupted: false });
    const logEvents = stderr
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => (JSON.parse(line) as { level: string; event: string }).event);
    expect(logEvents).toEqual(['generation started', 'generation finished']);
    expect(alarming(stdout + stderr)).toEqual([]);
  });
});
