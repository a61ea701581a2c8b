import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import pino from 'pino';
import { Logger } from '@lk/common';
import { machineInfo, median, writeResults } from './results';

/**
 * Cost per log line: our JSON Logger against pino, both writing to the same sink (/dev/null, so the figure is
 * formatting + the write system call, not the disk). pino is configured to print what ours prints (ISO time,
 * level as a word, component, `event` as the message key, bound child fields) so both lines carry the same
 * information. Scenarios: a typical line, a line with an Error (stack + cause), a line below the level
 * (dropped), and formatting only (a sink that discards).
 */
const LINES = 200_000;
const REPETITIONS = 7;
const SINK = '/dev/null';

interface Contender {
  name: string;
  /** builds a logger bound to `fd` (or no sink at all), returns its calls and a final flush */
  make(fd: number | null): { info: LogCall; error: LogCall; debug: LogCall; flush(): void };
}

type LogCall = (event: string, fields: Record<string, unknown>) => void;

const ours: Contender = {
  name: 'ours (Logger, one write per line)',
  make(fd) {
    const sink = fd === null ? () => undefined : (line: string) => void writeSync(fd, line + '\n');
    const logger = new Logger('speed', {}, 'info', sink).child({
      pipeline: 'user_activity_1m',
      partition: 3,
    });
    return {
      info: (event, fields) => logger.info(event, fields),
      error: (event, fields) => logger.error(event, fields),
      debug: (event, fields) => logger.debug(event, fields),
      flush: () => undefined,
    };
  },
};

function pinoContender(name: string, buffered: boolean): Contender {
  return {
    name,
    make(fd) {
      const destination =
        fd === null
          ? { write: () => true }
          : pino.destination({ fd, sync: !buffered, minLength: buffered ? 4096 : 0 });
      const logger = pino(
        {
          level: 'info',
          base: { component: 'speed' },
          messageKey: 'event',
          timestamp: pino.stdTimeFunctions.isoTime,
          formatters: { level: (label) => ({ level: label }) },
          // without it pino prints an Error under `error` as {}; this one keeps stack and cause, as ours does
          serializers: { error: pino.stdSerializers.errWithCause },
        },
        destination,
      ).child({ pipeline: 'user_activity_1m', partition: 3 });
      return {
        // pino's argument order: merge object first, message second
        info: (event, fields) => logger.info(fields, event),
        error: (event, fields) => logger.error(fields, event),
        debug: (event, fields) => logger.debug(fields, event),
        flush: () => {
          if ('flushSync' in destination) destination.flushSync();
        },
      };
    },
  };
}

const contenders = [
  ours,
  pinoContender('pino (sync destination, one write per line)', false),
  pinoContender('pino (sonic-boom buffered, 4 KiB)', true),
];

interface Scenario {
  name: string;
  sink: boolean;
  run(logger: ReturnType<Contender['make']>, i: number): void;
}

const cause = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
const failure = new Error('flush failed', { cause });

const scenarios: Scenario[] = [
  {
    name: 'typical line (5 fields)',
    sink: true,
    run: (logger, i) =>
      logger.info('flush committed', { records: 500, offset: i, changed: 12, ms: 3.25, ok: true }),
  },
  {
    name: 'line with an Error (stack + cause)',
    sink: true,
    run: (logger, i) => logger.error('flush failed', { attempt: i, error: failure }),
  },
  {
    name: 'below the level (dropped)',
    sink: true,
    run: (logger, i) => logger.debug('record decoded', { offset: i }),
  },
  {
    name: 'typical line, formatting only (no write)',
    sink: false,
    run: (logger, i) =>
      logger.info('flush committed', { records: 500, offset: i, changed: 12, ms: 3.25, ok: true }),
  },
];

function measure(contender: Contender, scenario: Scenario): number {
  const fd = scenario.sink ? openSync(SINK, 'w') : null;
  try {
    const logger = contender.make(fd);
    const started = process.hrtime.bigint();
    for (let i = 0; i < LINES; i++) scenario.run(logger, i);
    logger.flush();
    return Number(process.hrtime.bigint() - started) / LINES;
  } finally {
    if (fd !== null) closeSync(fd);
  }
}

export function runLoggerBench(): void {
  const rows: { scenario: string; logger: string; nsPerLine: number[]; median: number }[] = [];
  for (const scenario of scenarios) {
    for (const contender of contenders) measure(contender, scenario); // warm-up
    // repetitions interleaved across the contenders, so a slow phase of this shared VM hits all of them
    const nsPerLine = contenders.map((): number[] => []);
    for (let r = 0; r < REPETITIONS; r++) {
      contenders.forEach((contender, c) => nsPerLine[c]!.push(Math.round(measure(contender, scenario))));
    }
    contenders.forEach((contender, c) =>
      rows.push({
        scenario: scenario.name,
        logger: contender.name,
        nsPerLine: nsPerLine[c]!,
        median: median(nsPerLine[c]!),
      }),
    );
  }
  const date = new Date().toISOString();
  const file = writeResults('logger', date, {
    benchmark: 'logger',
    date,
    machine: machineInfo(),
    setup: { lines: LINES, repetitions: REPETITIONS, sink: SINK, pino: pinoVersion() },
    rows,
  });
  const table = rows.map(
    (row) =>
      `${row.scenario.padEnd(42)} ${row.logger.padEnd(46)} ${String(row.median).padStart(6)} ns/line (${row.nsPerLine.join(', ')})`,
  );
  process.stdout.write(`${table.join('\n')}\n\nwritten to ${file}\n`);
}

function pinoVersion(): string {
  return (JSON.parse(readFileSync(require.resolve('pino/package.json'), 'utf8')) as { version: string })
    .version;
}

if (require.main === module) runLoggerBench();
