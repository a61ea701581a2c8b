import { randomUUID } from 'node:crypto';
import { loadStackConfig, Logger, runCli } from '@lk/common';
import { EventGenerator, runGeneration, type GeneratorOptions } from '@lk/generator';
import { KafkaClient } from '@lk/kafka';
import { SchemaRegistryClient } from '@lk/schemas';
import { machineInfo, median, writeResults } from './results';

/**
 * Generator throughput, three stages in one run: generation alone (pure), + Avro encoding (registry ids
 * cached, nothing sent), + producing to Kafka (idempotent, acks=all, a fresh 12-partition topic per run).
 * The last two need the stack; without it they are recorded as skipped with the reason.
 */
const EVENTS = 200_000;
const REPETITIONS = 3;
const BATCH_SIZE = 1000;

const options = (seed: number): GeneratorOptions => ({
  count: EVENTS,
  rate: 0,
  seed,
  startMs: Date.UTC(2026, 0, 1),
  eventTimePerSecondMs: 3_600_000,
  keys: 10_000,
  zipf: 1.1,
  lateFraction: 0.01,
  duplicateFraction: 0.005,
  v1Fraction: 0.3,
});

interface StageResult {
  stage: string;
  eventsPerSecond: number[];
  median: number;
  skipped?: string;
}

function generationOnly(seed: number): number {
  const started = performance.now();
  let count = 0;
  for (const event of new EventGenerator(options(seed))) if (event) count++;
  return count / ((performance.now() - started) / 1000);
}

async function withStack(seed: number, toKafka: boolean): Promise<number> {
  const config = loadStackConfig();
  const logger = new Logger('bench', {}, 'error');
  const registry = new SchemaRegistryClient(config.schemaRegistryUrl);
  const topic = `lk-bench-generator-${randomUUID().slice(0, 8)}`;
  const kafka = new KafkaClient({ brokers: config.kafkaBrokers, clientId: 'lk-bench', logger });
  try {
    const { summary } = await runGeneration({
      generator: options(seed),
      topic,
      registry,
      logger,
      maxBatchSize: BATCH_SIZE,
      ...(toKafka ? { kafka, createTopicPartitions: 12 } : { dryRunPartitions: 12 }),
    });
    return summary.eventsPerSecond;
  } finally {
    if (toKafka) {
      const admin = kafka.admin();
      await admin.connect();
      await admin.deleteTopics([topic]);
      await admin.disconnect();
    }
    await registry.deleteSubject(`${topic}-value`);
  }
}

async function stage(
  name: string,
  measure: (seed: number) => Promise<number> | number,
): Promise<StageResult> {
  const eventsPerSecond: number[] = [];
  try {
    await measure(1); // warm-up
    for (let seed = 2; seed < 2 + REPETITIONS; seed++) eventsPerSecond.push(Math.round(await measure(seed)));
  } catch (error) {
    return { stage: name, eventsPerSecond, median: 0, skipped: (error as Error).message };
  }
  return { stage: name, eventsPerSecond, median: median(eventsPerSecond) };
}

export async function runGeneratorBench(): Promise<void> {
  const stages = [
    await stage('generation only', generationOnly),
    await stage('generation + Avro encoding (no Kafka)', (seed) => withStack(seed, false)),
    await stage('into Kafka (Avro, idempotent, acks=all)', (seed) => withStack(seed, true)),
  ];
  const date = new Date().toISOString();
  const file = writeResults('generator', date, {
    benchmark: 'generator',
    date,
    machine: machineInfo(),
    setup: { events: EVENTS, repetitions: REPETITIONS, batchSize: BATCH_SIZE, options: options(0) },
    stages,
  });
  const lines = stages.map(
    (s) =>
      `${s.stage.padEnd(42)} ${s.skipped ? `skipped: ${s.skipped}` : `${(s.median / 1000).toFixed(1)} k events/s (median of ${s.eventsPerSecond.join(', ')})`}`,
  );
  process.stdout.write(`${lines.join('\n')}\n\nwritten to ${file}\n`);
}

if (require.main === module) {
  void runCli(runGeneratorBench, { name: 'generator bench', forceExit: true });
}
