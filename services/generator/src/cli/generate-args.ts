import { parseArgs } from 'node:util';
import { loadStackConfig, UsageError } from '@lk/common';
import {
  DEFAULT_AMOUNT,
  parseAmountDistribution,
  type AmountDistribution,
} from '../generator/amount-distribution';
import { formatDuration, parseDuration, parseDurationRange } from '../generator/duration';
import {
  DEFAULT_EVENT_TYPES,
  GENERATOR_DEFAULTS,
  optionError,
  resolveGeneratorOptions,
  type EventTypeWeight,
  type GeneratorOptions,
} from '../generator/generator-options';
import { DEFAULT_MAX_BATCH_SIZE } from '../producer/event-producer';

export type GenerateCommand =
  | { kind: 'help' }
  | {
      kind: 'run';
      generator: GeneratorOptions;
      topic: string;
      subject: string | undefined;
      brokers: string[];
      registryUrl: string;
      jsonlPath: string | undefined;
      createTopicPartitions: number | undefined;
      dryRunPartitions: number | undefined;
      maxBatchSize: number;
      progress: boolean;
    };

const flags = {
  count: { type: 'string' },
  duration: { type: 'string' },
  rate: { type: 'string' },
  max: { type: 'boolean' },
  'nominal-rate': { type: 'string' },
  'event-time-per-second': { type: 'string' },
  start: { type: 'string' },
  seed: { type: 'string' },
  keys: { type: 'string' },
  zipf: { type: 'string' },
  'event-types': { type: 'string' },
  amount: { type: 'string' },
  disorder: { type: 'string' },
  'late-fraction': { type: 'string' },
  lateness: { type: 'string' },
  duplicates: { type: 'string' },
  'duplicate-distance': { type: 'string' },
  'v1-fraction': { type: 'string' },
  topic: { type: 'string' },
  subject: { type: 'string' },
  'create-topic': { type: 'boolean' },
  partitions: { type: 'string' },
  'batch-size': { type: 'string' },
  jsonl: { type: 'string' },
  'dry-run': { type: 'boolean' },
  brokers: { type: 'string' },
  registry: { type: 'string' },
  'no-progress': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Defaults of the CLI's own flags (the generator's are GENERATOR_DEFAULTS). */
export const CLI_DEFAULTS = { topic: 'user-events', partitions: 12 } as const;

/** An amount distribution as --amount takes it: the inverse of parseAmountDistribution. */
export function formatAmountDistribution(amount: AmountDistribution): string {
  return amount.kind === 'uniform'
    ? `uniform:${amount.min}..${amount.max}`
    : `lognormal:${amount.median},${amount.sigma}`;
}

const defaults = GENERATOR_DEFAULTS;
const eventTypes = DEFAULT_EVENT_TYPES.map(({ name, weight }) => `${name}:${weight}`).join(',');
const lateness = `${formatDuration(defaults.latenessMs.min)}..${formatDuration(defaults.latenessMs.max)}`;

/** Every default shown is read from the defaults the code uses, never restated. */
export const GENERATE_HELP = `Usage: lk-generate [options]

Produces keyed Avro UserEvents (key user_id) to Kafka, deterministically from a seed.

Amount of data (one of):
  --count N                   records to produce (duplicates included)
  --duration D                produce for D at --rate (count = rate x D; needs --rate > 0)
Pacing and event time:
  --rate R                    events per second (default ${defaults.rate}); 0 = as fast as possible
  --max                       same as --rate 0
  --event-time-per-second D   event time per wall second, e.g. 1h (default ${formatDuration(defaults.eventTimePerSecondMs)}${defaults.eventTimePerSecondMs === 1000 ? ' = real time' : ''})
  --nominal-rate R            events per wall second assumed for event time when --rate is 0 (default ${defaults.nominalRateWhenUnpaced})
  --start T                   event time of the first record, ISO-8601 or epoch ms (default: now, to the second)
Content:
  --seed N                    same seed, same events (default: random, printed in the summary)
  --keys N                    distinct user_ids (default ${defaults.keys})
  --zipf S                    key skew, Zipf exponent; 0 = uniform (default ${defaults.zipf})
  --event-types LIST          name[:weight],... (default ${eventTypes})
  --amount DIST               lognormal:MEDIAN,SIGMA or uniform:MIN..MAX (default ${formatAmountDistribution(DEFAULT_AMOUNT)})
  --disorder D                max out-of-orderness: ts = nominal - [0, D] (default ${formatDuration(defaults.disorderMs)})
  --late-fraction F           fraction of events pushed back beyond the disorder (default ${defaults.lateFraction})
  --lateness D..D             how far beyond the disorder a late event is (default ${lateness})
  --duplicates F              fraction of records re-sending an earlier event_id (default ${defaults.duplicateFraction})
  --duplicate-distance N      a duplicate repeats one of the last N new events (default ${defaults.duplicateDistance})
  --v1-fraction F             fraction of events written with schema v1, no country (default ${defaults.v1Fraction})
Output:
  --topic T                   (default ${CLI_DEFAULTS.topic})
  --subject S                 registry subject (default <topic>-value)
  --create-topic              create the topic if missing, with --partitions partitions
  --partitions N              for --create-topic and --dry-run (default ${CLI_DEFAULTS.partitions})
  --batch-size N              most records per send (default ${DEFAULT_MAX_BATCH_SIZE})
  --jsonl FILE                write each produced record with its partition, offset, record timestamp
                              and schema_version ("late": true on events pushed back beyond the disorder)
  --dry-run                   generate and encode, but send nothing (offsets as in an empty topic)
  --brokers LIST              host:port,... (default $KAFKA_BROKERS or 127.0.0.1:9092)
  --registry URL              schema registry (default $SCHEMA_REGISTRY_URL or http://127.0.0.1:8081)
  --no-progress               no progress bar on stderr
  -h, --help

Durations: 500ms, 10s, 1m, 1h, 1d, or sums like 1h30m.
Prints a human summary on stderr and the summary as one JSON line on stdout.
Exit codes: 0 done, 1 failed, 2 bad options, 130 interrupted.
`;

/**
 * Turns argv into a command, validating everything that can be validated without the network. Pure but
 * for what it is given: the environment (brokers, registry), the current time (default --start) and a
 * random seed (default --seed).
 */
export function parseGenerateArgs(
  argv: string[],
  env: Record<string, string | undefined>,
  nowMs: number,
  randomSeed: number,
): GenerateCommand {
  let values: ReturnType<typeof parse>['values'];
  try {
    values = parse(argv).values;
  } catch (error) {
    // node's messages name the flag ("Unknown option '--x'"); lift it out so the error names it too
    const message = (error as Error).message;
    throw new UsageError(/'(-{1,2}[\w-]+)'/.exec(message)?.[1] ?? 'arguments', message);
  }
  if (values.help) return { kind: 'help' };

  if (values.max && values.rate !== undefined && Number(values.rate) !== 0)
    throw new UsageError('--max', 'conflicts with --rate (give one of them)');
  if (values['dry-run'] && values['create-topic'])
    throw new UsageError('--dry-run', 'conflicts with --create-topic (a dry run touches no topic)');

  const generator: GeneratorOptions = {
    count: optional(values.count, (text) => numberOption('count', text)),
    durationMs: optional(values.duration, (text) => durationOption('durationMs', text)),
    rate: values.max ? 0 : optional(values.rate, (text) => numberOption('rate', text)),
    nominalRate: optional(values['nominal-rate'], (text) => numberOption('nominalRate', text)),
    eventTimePerSecondMs: optional(values['event-time-per-second'], (text) =>
      durationOption('eventTimePerSecondMs', text),
    ),
    startMs: values.start === undefined ? Math.floor(nowMs / 1000) * 1000 : timeOption(values.start),
    seed: values.seed === undefined ? randomSeed : numberOption('seed', values.seed),
    keys: optional(values.keys, (text) => numberOption('keys', text)),
    zipf: optional(values.zipf, (text) => numberOption('zipf', text)),
    eventTypes: optional(values['event-types'], eventTypesOption),
    amount: optional(values.amount, (text) => {
      const amount = parseAmountDistribution(text);
      if (!amount)
        throw optionError('amount', `expected lognormal:MEDIAN,SIGMA or uniform:MIN..MAX, got "${text}"`);
      return amount;
    }),
    disorderMs: optional(values.disorder, (text) => durationOption('disorderMs', text)),
    lateFraction: optional(values['late-fraction'], (text) => numberOption('lateFraction', text)),
    latenessMs: optional(values.lateness, (text) => {
      const range = parseDurationRange(text);
      if (!range)
        throw optionError('latenessMs', `expected a range of durations like 1m..10m, got "${text}"`);
      return range;
    }),
    duplicateFraction: optional(values.duplicates, (text) => numberOption('duplicateFraction', text)),
    duplicateDistance: optional(values['duplicate-distance'], (text) =>
      numberOption('duplicateDistance', text),
    ),
    v1Fraction: optional(values['v1-fraction'], (text) => numberOption('v1Fraction', text)),
  };
  // every generator option is checked now, before any connection is made
  resolveGeneratorOptions(generator);

  const partitions = integerFlag('--partitions', values.partitions, CLI_DEFAULTS.partitions, 1, 10_000);
  const stack = loadStackConfig({
    ...env,
    ...(values.brokers === undefined ? {} : { KAFKA_BROKERS: values.brokers }),
    ...(values.registry === undefined ? {} : { SCHEMA_REGISTRY_URL: values.registry }),
  });
  const topic = values.topic ?? CLI_DEFAULTS.topic;
  if (!/^[a-zA-Z0-9._-]{1,249}$/.test(topic))
    throw new UsageError('--topic', `"${topic}" is not a valid Kafka topic name`);
  return {
    kind: 'run',
    generator,
    topic,
    subject: values.subject,
    brokers: stack.kafkaBrokers,
    registryUrl: stack.schemaRegistryUrl,
    jsonlPath: values.jsonl,
    createTopicPartitions: values['create-topic'] ? partitions : undefined,
    dryRunPartitions: values['dry-run'] ? partitions : undefined,
    maxBatchSize: integerFlag('--batch-size', values['batch-size'], DEFAULT_MAX_BATCH_SIZE, 1, 100_000),
    progress: !values['no-progress'],
  };
}

function parse(argv: string[]) {
  return parseArgs({ args: argv, options: flags, strict: true, allowPositionals: false });
}

function optional<T>(text: string | undefined, convert: (text: string) => T): T | undefined {
  return text === undefined ? undefined : convert(text);
}

/** Plain numbers, with _ allowed as a digit separator (100_000) and exponents (1e6). */
function numberOption(option: keyof GeneratorOptions, text: string): number {
  const value = Number(text.replace(/_/g, ''));
  if (text.trim() === '' || !Number.isFinite(value))
    throw optionError(option, `expected a number, got "${text}"`);
  return value;
}

function durationOption(option: keyof GeneratorOptions, text: string): number {
  const value = parseDuration(text);
  if (value === undefined)
    throw optionError(option, `expected a duration like 500ms, 10s, 1m, 1h, 1d, got "${text}"`);
  return value;
}

function timeOption(text: string): number {
  const value = /^-?\d+$/.test(text) ? Number(text) : Date.parse(text);
  if (!Number.isSafeInteger(value))
    throw optionError('startMs', `expected an ISO-8601 time or epoch milliseconds, got "${text}"`);
  return value;
}

function eventTypesOption(text: string): EventTypeWeight[] {
  return text.split(',').map((entry) => {
    const [name = '', weight, ...rest] = entry.trim().split(':');
    const parsed = weight === undefined ? 1 : Number(weight);
    if (rest.length > 0 || name === '' || !Number.isFinite(parsed))
      throw optionError('eventTypes', `expected name[:weight],... like click:3,purchase:1, got "${text}"`);
    return { name, weight: parsed };
  });
}

function integerFlag(
  flag: string,
  text: string | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  if (text === undefined) return fallback;
  const value = Number(text.replace(/_/g, ''));
  if (!Number.isInteger(value) || value < min || value > max)
    throw new UsageError(flag, `expected an integer in ${min}..${max}, got "${text}"`);
  return value;
}
