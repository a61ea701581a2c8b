#!/usr/bin/env node
import { randomInt } from 'node:crypto';
import { Logger, runCli } from '@lk/common';
import { KafkaClient } from '@lk/kafka';
import { SchemaRegistryClient } from '@lk/schemas';
import { GeneratorOptionError } from '../generator/errors';
import { formatSummary } from '../producer/production-summary';
import { runGeneration } from '../producer/run-generation';
import { GENERATE_HELP, parseGenerateArgs } from './generate-args';

/** lk-generate: see GENERATE_HELP. stdout carries only the JSON summary; logs and progress go to stderr. */
async function main(argv: string[]): Promise<number> {
  const command = parseGenerateArgs(argv, process.env, Date.now(), randomInt(0, 2 ** 32));
  if (command.kind === 'help') {
    process.stdout.write(GENERATE_HELP);
    return 0;
  }

  const logger = new Logger('generator');
  const controller = new AbortController();
  // the first Ctrl-C stops after the batch in flight (the JSONL file stays complete); a second one kills
  const stop = (): void => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);

  const result = await runGeneration({
    generator: command.generator,
    topic: command.topic,
    subject: command.subject,
    registry: new SchemaRegistryClient(command.registryUrl),
    kafka:
      command.dryRunPartitions === undefined
        ? new KafkaClient({
            brokers: command.brokers,
            clientId: 'lk-generator',
            logger,
            // a broker restart (or a leader moving) is ridden out: ~2 min of backoff before a send gives up;
            // the producer is idempotent, so a retried send is written once
            retry: { retries: 15, initialRetryTime: 300, maxRetryTime: 10_000 },
          })
        : undefined,
    createTopicPartitions: command.createTopicPartitions,
    dryRunPartitions: command.dryRunPartitions,
    jsonlPath: command.jsonlPath,
    maxBatchSize: command.maxBatchSize,
    progress: command.progress ? process.stderr : undefined,
    logger,
    signal: controller.signal,
  });
  const { summary, options } = result;
  process.stderr.write(formatSummary(summary) + '\n');
  process.stdout.write(
    JSON.stringify({
      ...summary,
      seed: options.seed,
      start: new Date(options.startMs).toISOString(),
      schemaIds: result.schemaIds,
    }) + '\n',
  );
  return summary.interrupted ? 130 : 0;
}

// exit codes: 0 done, 1 failed, 2 bad options (UsageError, ConfigError, GeneratorOptionError), 130 interrupted
void runCli(main, {
  name: 'lk-generate',
  usage: 'Run lk-generate --help for the options.',
  isUsageError: (error) => error instanceof GeneratorOptionError,
});
