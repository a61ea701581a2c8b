import { describe, expect, it } from 'vitest';
import { ConfigError, UsageError } from '@lk/common';
import { parseGenerateArgs } from '../src/cli/generate-args';
import { GeneratorOptionError } from '../src/generator';

const now = Date.parse('2026-03-01T12:34:56.789Z');
const parse = (...argv: string[]) => parseGenerateArgs(argv, {}, now, 777);

describe('lk-generate arguments', () => {
  it('parses the documented example', () => {
    const command = parse(
      ...'--count 100000 --rate 0 --keys 10000 --zipf 1.1 --disorder 5s --late-fraction 0.01 --lateness 1m..10m'.split(
        ' ',
      ),
      ...'--duplicates 0.005 --v1-fraction 0.3 --seed 42 --event-time-per-second 1h'.split(' '),
      ...'--start 2026-01-01T00:00:00Z --topic user-events --jsonl out.jsonl'.split(' '),
    );
    expect(command).toEqual({
      kind: 'run',
      generator: {
        count: 100_000,
        durationMs: undefined,
        rate: 0,
        nominalRate: undefined,
        eventTimePerSecondMs: 3_600_000,
        startMs: Date.parse('2026-01-01T00:00:00Z'),
        seed: 42,
        keys: 10_000,
        zipf: 1.1,
        eventTypes: undefined,
        amount: undefined,
        disorderMs: 5_000,
        lateFraction: 0.01,
        latenessMs: { min: 60_000, max: 600_000 },
        duplicateFraction: 0.005,
        duplicateDistance: undefined,
        v1Fraction: 0.3,
      },
      topic: 'user-events',
      subject: undefined,
      brokers: ['127.0.0.1:9092'],
      registryUrl: 'http://127.0.0.1:8081',
      jsonlPath: 'out.jsonl',
      createTopicPartitions: undefined,
      dryRunPartitions: undefined,
      maxBatchSize: 1_000,
      progress: true,
    });
  });

  it('defaults the start to now (whole seconds) and the seed to the random one given', () => {
    const command = parse('--count', '5');
    if (command.kind !== 'run') throw new Error('expected a run');
    expect(command.generator.startMs).toBe(Date.parse('2026-03-01T12:34:56Z'));
    expect(command.generator.seed).toBe(777);
  });

  it('reads event types, amounts, epoch starts, --max, dry runs and the environment', () => {
    const command = parseGenerateArgs(
      [
        ...['--duration', '1m', '--rate', '100', '--event-types', 'view:3,buy', '--amount', 'uniform:1..9'],
        ...['--start', '1700000000000', '--dry-run', '--partitions', '6', '--no-progress'],
      ],
      { KAFKA_BROKERS: 'kafka:1,kafka:2', SCHEMA_REGISTRY_URL: 'http://registry:8081' },
      now,
      1,
    );
    if (command.kind !== 'run') throw new Error('expected a run');
    expect(command.generator.durationMs).toBe(60_000);
    expect(command.generator.eventTypes).toEqual([
      { name: 'view', weight: 3 },
      { name: 'buy', weight: 1 },
    ]);
    expect(command.generator.amount).toEqual({ kind: 'uniform', min: 1, max: 9 });
    expect(command.generator.startMs).toBe(1_700_000_000_000);
    expect(command.dryRunPartitions).toBe(6);
    expect(command.progress).toBe(false);
    expect(command.brokers).toEqual(['kafka:1', 'kafka:2']);
    expect(command.registryUrl).toBe('http://registry:8081');
    const max = parse('--count', '1', '--max');
    expect(max.kind === 'run' && max.generator.rate).toBe(0);
  });

  it('answers --help', () => {
    expect(parse('--help')).toEqual({ kind: 'help' });
    expect(parse('-h')).toEqual({ kind: 'help' });
  });

  it.each([
    [['--count', '10', '--bogus'], UsageError, /^--bogus: /],
    [['--count'], UsageError, /--count/],
    [['--count', 'ten'], GeneratorOptionError, /--count.*"ten"/],
    [['--count', '10', '--rate=-5'], GeneratorOptionError, /--rate/],
    [['--count', '10', '--rate', '-5'], UsageError, /--rate/],
    [['--count', '10', '--disorder', '5'], GeneratorOptionError, /--disorder.*duration/],
    [['--count', '10', '--lateness', '10m..1m'], GeneratorOptionError, /--lateness/],
    [['--count', '10', '--lateness', 'soon'], GeneratorOptionError, /--lateness/],
    [['--count', '10', '--start', 'yesterday'], GeneratorOptionError, /--start/],
    [['--count', '10', '--amount', 'normal'], GeneratorOptionError, /--amount/],
    [['--count', '10', '--event-types', 'a:x'], GeneratorOptionError, /--event-types/],
    [['--count', '10', '--duplicates', '2'], GeneratorOptionError, /--duplicates/],
    [['--count', '10', '--v1-fraction', '1.2'], GeneratorOptionError, /--v1-fraction/],
    [['--count', '10', '--max', '--rate', '5'], UsageError, /--max/],
    [['--count', '10', '--partitions', '0'], UsageError, /--partitions/],
    [['--count', '10', '--batch-size', '1.5'], UsageError, /--batch-size/],
    [['--count', '10', '--topic', 'bad topic'], UsageError, /--topic/],
    [['--count', '10', '--dry-run', '--create-topic'], UsageError, /--dry-run/],
    [['--count', '10', '--brokers', 'nohost'], ConfigError, /KAFKA_BROKERS/],
    [['--rate', '10'], GeneratorOptionError, /--count/],
  ] as const)('rejects %j naming the option', (argv, type, message) => {
    expect(() => parse(...argv)).toThrow(type);
    expect(() => parse(...argv)).toThrow(message);
  });
});
