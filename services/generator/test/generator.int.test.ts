import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadStackConfig, Logger } from '@lk/common';
import { KafkaClient, type ConsumedRecord } from '@lk/kafka';
import { SchemaRegistryClient } from '@lk/schemas';
import type { GeneratorOptions } from '../src/generator';
import { consumeUntil, partitionForKey } from '@lk/kafka';
import { runGeneration, type GenerationResult, type JsonlRecord } from '../src/producer';

/**
 * The generator against the real stack: what it says it produced (the JSONL file and the summary) is
 * checked against what an independent consumer reads back, and the same seed must give the same log.
 */
const config = loadStackConfig();
const run = randomUUID().slice(0, 8);
const topics = { a: `lk-gen-it-${run}-a`, b: `lk-gen-it-${run}-b` };
const groups: string[] = [];
const quiet = new Logger('generator-it', {}, 'warn');
const kafka = new KafkaClient({ brokers: config.kafkaBrokers, clientId: 'lk-generator-it', logger: quiet });
const registry = new SchemaRegistryClient(config.schemaRegistryUrl);
const admin = kafka.admin();
const dir = mkdtempSync(join(tmpdir(), 'lk-gen-it-'));
const cli = resolve(import.meta.dirname, '..', 'dist', 'cli', 'generate.js');

const N = 2_000;
const options: GeneratorOptions = {
  count: N,
  rate: 0,
  seed: 4242,
  startMs: Date.parse('2026-01-01T00:00:00Z'),
  keys: 300,
  zipf: 1.1,
  disorderMs: 5_000,
  lateFraction: 0.02,
  latenessMs: { min: 60_000, max: 600_000 },
  duplicateFraction: 0.01,
  v1Fraction: 0.3,
  eventTimePerSecondMs: 3_600_000,
};
// the same options, as flags
const cliArgs = [
  ...['--count', String(N), '--max', '--seed', '4242', '--start', '2026-01-01T00:00:00Z', '--keys', '300'],
  ...['--zipf', '1.1', '--disorder', '5s', '--late-fraction', '0.02', '--lateness', '1m..10m'],
  ...['--duplicates', '0.01', '--v1-fraction', '0.3', '--event-time-per-second', '1h', '--no-progress'],
];

let resultA: GenerationResult;
let consumedA: ConsumedRecord[];

beforeAll(async () => {
  await admin.connect();
  await admin.ensureTopics([
    { name: topics.a, partitions: 12 },
    { name: topics.b, partitions: 12 },
  ]);
  resultA = await runGeneration({
    generator: options,
    topic: topics.a,
    registry,
    kafka,
    jsonlPath: join(dir, 'a.jsonl'),
    // a different batch size than the CLI run below: batching must not change the log
    maxBatchSize: 300,
    logger: quiet,
  });
  consumedA = await consumeAll(topics.a, N);
});

afterAll(async () => {
  await admin.deleteTopics(Object.values(topics));
  await admin.deleteGroups(groups);
  await admin.disconnect();
  for (const topic of Object.values(topics))
    await registry.deleteSubject(`${topic}-value`).catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});

describe('generator against Kafka and the schema registry', () => {
  it('writes a JSONL line for every record, matching what a consumer reads at that partition and offset', async () => {
    const lines = readJsonl(join(dir, 'a.jsonl'));
    expect(lines).toHaveLength(N);
    expect(consumedA).toHaveLength(N);
    const byPosition = new Map(lines.map((line) => [`${line.partition}:${line.offset}`, line]));
    expect(byPosition.size).toBe(N);

    for (const record of consumedA) {
      const line = byPosition.get(`${record.partition}:${record.offset}`);
      expect(line, `no JSONL line for ${record.partition}:${record.offset}`).toBeDefined();
      const { partition, offset, timestamp, schema_version, late: _late, ...event } = line!;
      expect({ partition, offset }).toEqual({ partition: record.partition, offset: Number(record.offset) });
      // the record timestamp Kafka kept is the one the line names (what lk-window checks maxEventTimeSkew by)
      expect(record.timestamp).toBe(timestamp);
      // decoded with its writer schema: a v1 record has no country, exactly like its line
      const decoded = await registry.decode<object>(record.value!);
      expect({ ...decoded }).toEqual(event);
      expect(record.key!.toString()).toBe(event.user_id);
      // Confluent wire format: magic byte 0, then the id of the version the line names
      expect(record.value![0]).toBe(0);
      expect(record.value!.readInt32BE(1)).toBe(resultA.schemaIds[schema_version]);
      // where Kafka put the key is where the Java client's murmur2 puts it
      expect(record.partition).toBe(partitionForKey(event.user_id, 12));
    }
    expect(new Set(lines.map((line) => line.schema_version))).toEqual(new Set([1, 2]));
  });

  it('reports per-partition counts, lateness, duplicates and versions that match the records', async () => {
    const { summary } = resultA;
    const lines = readJsonl(join(dir, 'a.jsonl'));
    expect(summary.sent).toBe(N);
    expect(summary.interrupted).toBe(false);
    const endOffsets = await admin.endOffsets(topics.a);
    for (let p = 0; p < 12; p++) {
      const consumed = consumedA.filter((record) => record.partition === p).length;
      expect(summary.perPartition[p]).toBe(consumed);
      expect(endOffsets.get(p)).toBe(BigInt(consumed));
    }
    expect(summary.v1).toBe(lines.filter((line) => line.schema_version === 1).length);
    expect(summary.v2).toBe(N - summary.v1);
    const ids = lines.map((line) => line.event_id);
    expect(summary.duplicates).toBe(N - new Set(ids).size);
    expect(summary.duplicates).toBeGreaterThan(0);
    expect(summary.late).toBeGreaterThan(0);
    expect(lines.filter((line) => line.late).length).toBe(summary.late);
  });

  it('gives the same log for the same seed: the CLI to another topic writes the same records, key by key', async () => {
    expect(existsSync(cli), `${cli} is missing: build first (pnpm exec tsc -b services/generator)`).toBe(
      true,
    );
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [cli, ...cliArgs, '--topic', topics.b, '--jsonl', join(dir, 'b.jsonl')],
      {
        env: {
          ...process.env,
          KAFKA_BROKERS: config.kafkaBrokers.join(','),
          SCHEMA_REGISTRY_URL: config.schemaRegistryUrl,
        },
      },
    );
    const summaryB = JSON.parse(stdout) as Record<string, unknown>;
    const pick = ({ sent, perPartition, late, duplicates, v1, v2 }: Record<string, unknown>) => ({
      sent,
      perPartition,
      late,
      duplicates,
      v1,
      v2,
    });
    expect(pick(summaryB)).toEqual(pick({ ...resultA.summary }));
    expect(summaryB.seed).toBe(4242);

    // fresh topics, same keys in the same order per partition: even the offsets are the same; only the
    // record timestamps (the producer's wall clock at each send) differ
    const withoutTimestamp = (path: string) => readJsonl(path).map(({ timestamp: _t, ...rest }) => rest);
    expect(withoutTimestamp(join(dir, 'b.jsonl'))).toEqual(withoutTimestamp(join(dir, 'a.jsonl')));
    for (const line of readJsonl(join(dir, 'b.jsonl')))
      expect(Number.isSafeInteger(line.timestamp)).toBe(true);

    const consumedB = await consumeAll(topics.b, N);
    const perKeyA = await sequencesByKey(consumedA);
    const perKeyB = await sequencesByKey(consumedB);
    expect(perKeyB).toEqual(perKeyA);
    expect(perKeyA.size).toBeGreaterThan(100);
  });
});

function readJsonl(path: string): JsonlRecord[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as JsonlRecord);
}

/** Each key's decoded events in offset order. */
async function sequencesByKey(records: ConsumedRecord[]): Promise<Map<string, object[]>> {
  const sorted = [...records].sort((a, b) => a.partition - b.partition || Number(a.offset - b.offset));
  const byKey = new Map<string, object[]>();
  for (const record of sorted) {
    const key = record.key!.toString();
    const decoded = { ...(await registry.decode<object>(record.value!)) };
    byKey.set(key, [...(byKey.get(key) ?? []), decoded]);
  }
  return byKey;
}

/** Reads a topic from the beginning in a fresh consumer group until `count` records arrived. */
async function consumeAll(topic: string, count: number): Promise<ConsumedRecord[]> {
  const groupId = `lk-gen-it-${run}-${topic}`;
  groups.push(groupId);
  return consumeUntil(kafka, {
    topics: [topic],
    groupId,
    done: (records) => records.length >= count,
    timeoutMs: 45_000,
  });
}
