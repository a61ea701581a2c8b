#!/usr/bin/env node
import { randomInt } from 'node:crypto';
import { ConfigError, Logger } from '@lk/common';
import { KafkaClient } from '@lk/kafka';
import { SchemaRegistryClient } from '@lk/schemas';
import { GeneratorOptionError } from '../generator/errors';
import { formatSummary } from '../producer/production-summary';
import { runGeneration } from '../producer/run-generation';
import { GENERATE_HELP, parseGenerateArgs, type GenerateCommand } from './generate-args';
import { UsageError } from './usage-error';

/** lk-generate: see GENERATE_HELP. stdout carries only the JSON summary; logs and progress go to stderr. */
async function main(argv: string[]): Promise<number> {
  let command: GenerateCommand;
  try {
    command = parseGenerateArgs(argv, process.env, Date.now(), randomInt(0, 2 ** 32));
  } catch (error) {
    if (isBadOption(error)) return usageFailure(error);
    throw error;
  }
  if (command.kind === 'help') {
    process.stdout.write(GENERATE_HELP);
    return 0;
  }

  const logger = new Logger('generator', {}, undefined, (line) => process.stderr.write(line + '\n'));
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
        ? new KafkaClient({ brokers: command.brokers, clientId: 'lk-generator', logger })
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

function isBadOption(error: unknown): error is Error {
  return error instanceof UsageError || error instanceof GeneratorOptionError || error instanceof ConfigError;
}

function usageFailure(error: Error): number {
  process.stderr.write(`lk-generate: ${error.message}\nRun lk-generate --help for the options.\n`);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (isBadOption(error)) {
      process.exitCode = usageFailure(error);
      return;
    }
    process.stderr.write(`lk-generate failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
