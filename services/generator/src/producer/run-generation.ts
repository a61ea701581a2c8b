import { Logger } from '@lk/common';
import type { KafkaClient, KafkaProducer } from '@lk/kafka';
import type { SchemaRegistryClient } from '@lk/schemas';
import { EventGenerator } from '../generator/event-generator';
import type { GeneratorOptions, ResolvedGeneratorOptions } from '../generator/generator-options';
import { AvroEventEncoder } from './avro-event-encoder';
import { systemClock, type Clock } from './clock';
import { DryRunSender } from './dry-run-sender';
import { TopicNotFoundError } from './errors';
import { EventProducer } from './event-producer';
import { JsonlWriter } from './jsonl-writer';
import type { ProductionSummary } from './production-summary';
import { ProgressReporter, type ProgressStream } from '@lk/common';
import type { RecordSender } from './record-sender';

export interface GenerationRunOptions {
  generator: GeneratorOptions;
  topic: string;
  /** registry subject; default `<topic>-value` (TopicNameStrategy) */
  subject?: string;
  registry: SchemaRegistryClient;
  /** needed unless dryRun */
  kafka?: KafkaClient;
  /** create the topic with this many partitions when it does not exist */
  createTopicPartitions?: number;
  /** no Kafka: encode, and answer as an empty topic with this many partitions would */
  dryRunPartitions?: number;
  jsonlPath?: string;
  maxBatchSize?: number;
  /** where the progress bar goes (stderr in the CLI); none when undefined */
  progress?: ProgressStream;
  logger?: Logger;
  signal?: AbortSignal;
  clock?: Clock;
}

export interface GenerationResult {
  summary: ProductionSummary;
  /** the options actually used (defaults filled in), e.g. to repeat the run */
  options: ResolvedGeneratorOptions;
  schemaIds: Readonly<Record<1 | 2, number>>;
}

/**
 * One generator run end to end: validate the options (before touching the network), look up the topic's
 * partitions (creating it when asked), register the schemas, produce, and close everything, also on failure.
 */
export async function runGeneration(run: GenerationRunOptions): Promise<GenerationResult> {
  const generator = new EventGenerator(run.generator);
  const logger = run.logger ?? new Logger('generator');
  const subject = run.subject ?? `${run.topic}-value`;

  // the topic first (created with --create-topic): no schema is registered under a subject for a topic
  // that does not exist, e.g. after a typo in --topic
  let producer: KafkaProducer | undefined;
  let sender: RecordSender;
  let partitions: number;
  if (run.dryRunPartitions !== undefined) {
    partitions = run.dryRunPartitions;
    sender = new DryRunSender(partitions);
  } else {
    if (!run.kafka) throw new Error('runGeneration needs a KafkaClient unless dryRunPartitions is set');
    partitions = await topicPartitions(run.kafka, run.topic, run.createTopicPartitions);
    producer = run.kafka.producer();
    sender = producer;
  }
  const encoder = await AvroEventEncoder.register(run.registry, subject);

  const jsonl = run.jsonlPath === undefined ? undefined : new JsonlWriter(run.jsonlPath);
  const options = generator.options;
  logger.info('generation started', {
    topic: run.topic,
    subject,
    partitions,
    dryRun: run.dryRunPartitions !== undefined,
    count: options.count,
    rate: options.rate,
    seed: options.seed,
    start: new Date(options.startMs).toISOString(),
    schemaIds: encoder.schemaIds,
    jsonl: run.jsonlPath,
  });
  let closed = false;
  try {
    await producer?.connect();
    const summary = await new EventProducer({
      topic: run.topic,
      partitions,
      sender,
      encoder,
      rate: options.rate,
      maxBatchSize: run.maxBatchSize,
      jsonl,
      progress: run.progress && new ProgressReporter(options.count, run.progress, run.clock ?? systemClock),
      clock: run.clock,
      signal: run.signal,
    }).produce(generator, options.count);
    // a JSONL file that failed to flush is not a record of what was produced: that must fail the run
    await jsonl?.close();
    closed = true;
    logger.info('generation finished', { ...summary });
    return { summary, options, schemaIds: encoder.schemaIds };
  } finally {
    if (!closed) await jsonl?.close().catch(() => undefined);
    await producer
      ?.disconnect()
      .catch((error: unknown) => logger.warn('producer disconnect failed', { error }));
  }
}

async function topicPartitions(
  kafka: KafkaClient,
  topic: string,
  createPartitions?: number,
): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    if (createPartitions !== undefined)
      await admin.ensureTopics([{ name: topic, partitions: createPartitions }]);
    if (!(await admin.topicExists(topic))) throw new TopicNotFoundError(topic);
    return (await admin.describeTopic(topic, [])).partitions;
  } finally {
    await admin.disconnect();
  }
}
