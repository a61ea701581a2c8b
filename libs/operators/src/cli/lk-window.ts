#!/usr/bin/env node
// The package's only I/O: runs one pipeline over a JSONL file of events, as the batch or the streaming path would.
import { createReadStream, createWriteStream, readFileSync } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { describeValue, InvalidEventError } from '../errors';
import { KeyedWindowOperator, type OperatorMode } from '../operator/keyed-window-operator';
import { ResultTable } from '../operator/result-table';
import type { LateRecord, ResultChange } from '../operator/types';
import { findPipeline, parsePipelines } from '../pipeline/parse';

const USAGE = `usage: lk-window --pipelines FILE --pipeline NAME --mode stream|batch --input EVENTS.jsonl [--late LATE.jsonl]

Runs one pipeline of FILE over EVENTS.jsonl (one JSON event per line, in log order, with the pipeline's key
and time fields, time in epoch ms, and an optional integer "partition", default 0) and prints the latest
result of every window as JSONL sorted by key, window_start, window_end. --late writes one line per
(event, window) dropped as late. Exit codes: 0 ok, 1 bad usage or configuration, 2 malformed input line.
`;

/** Flushing bounds the late records held in memory (streams only; results do not depend on it). */
const FLUSH_EVERY = 100_000;
/** Lines per write: one write per line would make the output syscalls dominate the run. */
const LINES_PER_WRITE = 1_000;

export interface CliIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
}

type Event = Record<string, unknown>;

class UsageError extends Error {}

/** A line of the input that cannot be processed: the run stops with exit code 2. */
class MalformedLineError extends Error {
  constructor(line: number, problem: string) {
    super(`line ${line}: ${problem}`);
  }
}

interface Options {
  readonly pipelines: string;
  readonly pipeline: string;
  readonly mode: OperatorMode;
  readonly input: string;
  readonly late: string | undefined;
}

function parseOptions(argv: readonly string[]): Options | 'help' {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        pipelines: { type: 'string' },
        pipeline: { type: 'string' },
        mode: { type: 'string' },
        input: { type: 'string' },
        late: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help === true) return 'help';
  const { pipelines, pipeline, mode, input, late } = values;
  if (pipelines === undefined || pipeline === undefined || input === undefined || mode === undefined) {
    throw new UsageError('--pipelines, --pipeline, --mode and --input are required');
  }
  if (mode !== 'stream' && mode !== 'batch')
    throw new UsageError(`--mode must be stream or batch, got "${mode}"`);
  return { pipelines, pipeline, mode, input, late };
}

function parseLine(text: string, line: number): { event: Event; partition: number } {
  let event: unknown;
  try {
    event = JSON.parse(text);
  } catch (error) {
    throw new MalformedLineError(line, `not valid JSON (${(error as Error).message})`);
  }
  if (typeof event !== 'object' || event === null || Array.isArray(event)) {
    throw new MalformedLineError(line, `expected a JSON object, got ${describeValue(event)}`);
  }
  const partition = (event as Event)['partition'] ?? 0;
  if (!(Number.isSafeInteger(partition) && (partition as number) >= 0)) {
    throw new MalformedLineError(
      line,
      `"partition": expected a non-negative integer, got ${describeValue(partition)}`,
    );
  }
  return { event: event as Event, partition: partition as number };
}

function resultLine(row: ResultChange): string {
  return `${JSON.stringify({
    pipeline: row.pipeline,
    key: row.key,
    window_start: row.windowStart,
    window_end: row.windowEnd,
    values: row.values,
    final: row.final,
    revision: row.revision,
  })}\n`;
}

function lateLine(record: LateRecord<Event>): string {
  const { event, windowStart, windowEnd, watermark } = record;
  return `${JSON.stringify({ event, window_start: windowStart, window_end: windowEnd, watermark })}\n`;
}

async function write(stream: NodeJS.WritableStream, text: string): Promise<void> {
  if (!stream.write(text)) await once(stream, 'drain');
}

async function run(options: Options, io: CliIo): Promise<void> {
  const pipeline = findPipeline(parsePipelines(readFileSync(options.pipelines, 'utf8')), options.pipeline);
  const operator = new KeyedWindowOperator<Event>(pipeline, { mode: options.mode });
  const table = new ResultTable();
  const lateOut = options.late === undefined ? undefined : createWriteStream(options.late);
  // Keys must stay on one partition (as with Kafka's keyed partitioning): state is kept per partition.
  const partitionOfKey = new Map<string, number>();
  const takeOutput = async (): Promise<void> => {
    const output = operator.flush();
    table.apply(output);
    if (lateOut !== undefined && output.late.length > 0)
      await write(lateOut, output.late.map(lateLine).join(''));
  };

  let line = 0;
  const lines = createInterface({ input: createReadStream(options.input), crlfDelay: Infinity });
  for await (const text of lines) {
    line++;
    const { event, partition } = parseLine(text, line);
    try {
      operator.process(event, partition);
    } catch (error) {
      if (error instanceof InvalidEventError) throw new MalformedLineError(line, error.message);
      throw error;
    }
    const key = String(event[pipeline.key]);
    const known = partitionOfKey.get(key);
    if (known === undefined) partitionOfKey.set(key, partition);
    else if (known !== partition) {
      throw new MalformedLineError(
        line,
        `key "${key}" is on partition ${partition} but was on ${known} before`,
      );
    }
    if (options.mode === 'stream' && line % FLUSH_EVERY === 0) await takeOutput();
  }
  if (options.mode === 'batch') operator.advanceToEndOfInput();
  await takeOutput();
  if (lateOut !== undefined) {
    lateOut.end();
    await once(lateOut, 'finish');
  }
  const rows = table.toArray();
  for (let i = 0; i < rows.length; i += LINES_PER_WRITE) {
    await write(
      io.stdout,
      rows
        .slice(i, i + LINES_PER_WRITE)
        .map(resultLine)
        .join(''),
    );
  }
}

/** Runs the CLI and returns its exit code (the tests call this directly). */
export async function main(argv: readonly string[], io: CliIo = process): Promise<number> {
  try {
    const options = parseOptions(argv);
    if (options === 'help') {
      io.stdout.write(USAGE);
      return 0;
    }
    await run(options, io);
    return 0;
  } catch (error) {
    if (error instanceof MalformedLineError) {
      io.stderr.write(`lk-window: ${error.message}\n`);
      return 2;
    }
    // Configuration errors (PipelineConfigError) and unreadable files: their message says it all.
    io.stderr.write(`lk-window: ${(error as Error).message}\n${error instanceof UsageError ? USAGE : ''}`);
    return 1;
  }
}

// Guarded so that importing this file (tests) does not run it.
if (typeof require !== 'undefined' && require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
