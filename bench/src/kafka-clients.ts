// What switching the Kafka client would gain: on one pre-filled topic (1 M Avro UserEvents, 12 partitions),
// Kafka's own ConsumerPerformance, then the bare consume + Avro decode loop with libs/kafka (kafkajs, as the
// services run it) and with @platformatic/kafka, interleaved, each in a fresh consumer group.
import { randomUUID } from 'node:crypto';
import { loadStackConfig, Logger, runCli } from '@lk/common';
import { KafkaClient } from '@lk/kafka';
import { SchemaRegistryClient } from '@lk/schemas';
import { consumeDecodeLoop, platformaticConsumeDecodeLoop, type RateResult } from './consume-loops';
import { machineInfo, median, writeResults } from './results';
import { consumerPerformance, endOffsetTotal, prefill } from './stack';

export async function runKafkaClientsBench(options: { events: number; repeat: number }): Promise<string> {
  const date = new Date().toISOString();
  const suffix = randomUUID().slice(0, 8);
  const topic = `lk-bench-clients-${suffix}`;
  const stack = loadStackConfig();
  const logger = new Logger('bench', {}, 'error');
  const kafka = new KafkaClient({ brokers: stack.kafkaBrokers, clientId: 'lk-bench', logger });
  const registry = new SchemaRegistryClient(stack.schemaRegistryUrl);
  const groups: string[] = [];
  const group = (name: string): string => {
    groups.push(`lk-bench-clients-${suffix}-${name}-${groups.length}`);
    return groups.at(-1)!;
  };
  const log = (line: string): void => void process.stderr.write(`[clients bench] ${line}\n`);
  const runs: { kafkajs: RateResult[]; platformatic: RateResult[] } = { kafkajs: [], platformatic: [] };
  let results: Record<string, unknown>;
  try {
    log(`pre-filling ${topic} with ${options.events} events`);
    await prefill(topic, options.events);
    const total = await endOffsetTotal(kafka, topic);
    const cp = await consumerPerformance(stack.kafkaBrokers, topic, group('cp'), total);
    log(`ConsumerPerformance ${cp.fetchRecordsPerSecond} records/s`);
    for (let round = 0; round < options.repeat; round++) {
      runs.kafkajs.push(await consumeDecodeLoop(kafka, registry, topic, group('kafkajs'), total));
      log(`libs/kafka (kafkajs): ${runs.kafkajs.at(-1)!.steadyEventsPerSecond} events/s`);
      runs.platformatic.push(
        await platformaticConsumeDecodeLoop(
          stack.kafkaBrokers,
          registry,
          topic,
          group('platformatic'),
          total,
        ),
      );
      log(`@platformatic/kafka: ${runs.platformatic.at(-1)!.steadyEventsPerSecond} events/s`);
    }
    const kafkajs = median(runs.kafkajs.map((r) => r.steadyEventsPerSecond));
    const platformatic = median(runs.platformatic.map((r) => r.steadyEventsPerSecond));
    results = {
      benchmark: 'kafka-clients',
      date,
      machine: machineInfo(),
      events: total,
      consumerPerformance: cp,
      runs,
      medians: {
        kafkajs,
        platformatic,
        platformaticToKafkajs: Number((platformatic / kafkajs).toFixed(2)),
        kafkajsToConsumerPerformance: Number((kafkajs / cp.fetchRecordsPerSecond).toFixed(3)),
        platformaticToConsumerPerformance: Number((platformatic / cp.fetchRecordsPerSecond).toFixed(3)),
      },
    };
  } finally {
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteGroups(groups).catch(() => undefined);
    await admin.deleteTopics([topic]).catch(() => undefined);
    await admin.disconnect();
    await registry.deleteSubject(`${topic}-value`).catch(() => undefined);
  }
  const file = writeResults('kafka-clients', date, results);
  process.stdout.write(`${JSON.stringify({ ...results, machine: undefined }, null, 2)}\nresults: ${file}\n`);
  return file;
}

async function main(args: string[]): Promise<void> {
  await runKafkaClientsBench({ events: args.includes('--quick') ? 200_000 : 1_000_000, repeat: 2 });
}

if (require.main === module) void runCli(main, { name: 'bench-kafka-clients', forceExit: true });
