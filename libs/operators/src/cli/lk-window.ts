#!/usr/bin/env node
// The package's only I/O: runs one pipeline over a JSONL file of events, as the batch or the streaming path would.
import {
  accessSync,
  constants,
  createReadStream,
  createWriteStream,
  fstatSync,
  openSync,
  readFileSync,
  realpathSync,
  statSync,
  type Stats,
  type WriteStream,
} from 'node:fs';
import { once } from 'node:events';
import { basename, dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import {
  describeValue,
  EventTimeSkewError,
  InvalidEventError,
  InvalidPartitionError,
  MissingRecordTimestampError,
  PipelineConfigError,
} from '../errors';
import { MAX_PARTITION } from '../limits';
import { KeyedWindowOperator, type OperatorMode } from '../operator/keyed-window-operator';
import { ResultTable } from '../operator/result-table';
import type { LateRecord, ResultChange } from '../operator/types';
import { fieldReader, RECORD_KEY } from '../pipeline/field-path';
import { findPipeline, parsePipelines } from '../pipeline/parse';

const USAGE = `usage: lk-window --pipelines FILE --pipeline NAME --mode stream|batch --input EVENTS.jsonl
                 [--late LATE.jsonl] [--rejected REJECTED.jsonl]

Runs one pipeline of FILE over EVENTS.jsonl (one JSON event per line, in log order, with the pipeline's key
and time fields, nested objects for dotted paths, time in epoch ms, an optional integer "partition", default
0, an optional Kafka record "timestamp" in epoch ms (the time of a pipeline timed by $timestamp) and an
optional Kafka record key "$key" (the key of a pipeline keyed by $key)) and prints the latest result of every window as JSONL sorted by key, window_start,
window_end. --late writes one line per (event, window) dropped as late.
A pipeline with maxEventTimeSkew needs "timestamp" on every line; an event whose time runs further ahead of
it is left out, as the services dead-letter it: the run goes on, stderr says how many were left out, and
--rejected writes one line per such event. --late and --rejected must not be the input, the pipelines file,
each other or where stdout goes; nothing is written when they are.
Exit codes (as every command of this repository): 0 ok; 2 the command or its input is wrong, with a message
naming the flag, field, file or line: bad usage, a bad pipeline definition, an unreadable input, a malformed
input line, an output file that is one of the inputs or cannot be written; 1 any other failure.
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

/** --input or --pipelines cannot be read: refused with exit code 2, before any output is opened. */
class InputFileError extends Error {
  constructor(flag: string, path: string, cause: unknown) {
    super(`${flag} ${path}: cannot be read (${(cause as Error).message})`);
  }
}

/** An output file that would overwrite an input, or cannot be written: refused with exit code 2. */
class OutputFileError extends Error {
  constructor(flag: string, path: string | undefined, problem: string) {
    super(`${flag}${path === undefined ? '' : ` ${path}`}: ${problem}`);
  }
}

interface Options {
  readonly pipelines: string;
  readonly pipeline: string;
  readonly mode: OperatorMode;
  readonly input: string;
  readonly late: string | undefined;
  readonly rejected: string | undefined;
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
        rejected: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help === true) return 'help';
  const { pipelines, pipeline, mode, input, late, rejected } = values;
  if (pipelines === undefined || pipeline === undefined || input === undefined || mode === undefined) {
    throw new UsageError('--pipelines, --pipeline, --mode and --input are required');
  }
  if (mode !== 'stream' && mode !== 'batch')
    throw new UsageError(`--mode must be stream or batch, got "${mode}"`);
  return { pipelines, pipeline, mode, input, late, rejected };
}

/** Where a path leads: its real path (symlinks resolved) and, when it exists, its device and inode. */
interface FileIdentity {
  readonly real: string;
  readonly stats: Stats | undefined;
}

function identify(path: string): FileIdentity {
  try {
    return { real: realpathSync(path), stats: statSync(path) };
  } catch {
    // Not there (yet): it is the file of that name in its directory, wherever that directory really is.
    let directory = resolve(dirname(path));
    try {
      directory = realpathSync(directory);
    } catch {
      // a missing directory is reported when the file is opened
    }
    return { real: join(directory, basename(path)), stats: undefined };
  }
}

/** Same file: the same real path, or the same inode on the same device (a hard link). */
function sameFile(a: FileIdentity, b: FileIdentity): boolean {
  if (a.real === b.real) return true;
  return (
    a.stats !== undefined &&
    b.stats !== undefined &&
    a.stats.dev === b.stats.dev &&
    a.stats.ino === b.stats.ino
  );
}

/** The file stdout is redirected to, if it is one (`> file`); a pipe or terminal cannot be an input. */
function stdoutFile(stdout: NodeJS.WritableStream): FileIdentity | undefined {
  const fd = (stdout as { fd?: unknown }).fd;
  if (typeof fd !== 'number') return undefined;
  try {
    const stats = fstatSync(fd);
    return stats.isFile() ? { real: `(stdout, fd ${fd})`, stats } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Refuses, before anything is opened for writing, an output that is an input (writing --late over --input
 * used to empty the input and exit 0) or another output, and an output that cannot be written (which used
 * to surface as an unhandled stream error with a stack trace).
 */
function checkFiles(options: Options, stdout: NodeJS.WritableStream): void {
  const inputs: [string, FileIdentity][] = [
    [`--input ${options.input}`, identify(options.input)],
    [`--pipelines ${options.pipelines}`, identify(options.pipelines)],
  ];
  const outputs: [string, string][] = [];
  if (options.late !== undefined) outputs.push(['--late', options.late]);
  if (options.rejected !== undefined) outputs.push(['--rejected', options.rejected]);
  const redirected = stdoutFile(stdout);
  if (redirected !== undefined) {
    for (const [name, input] of inputs) {
      if (sameFile(input, redirected)) {
        throw new OutputFileError(
          'stdout',
          undefined,
          `is the same file as ${name} (it may have been emptied already)`,
        );
      }
    }
  }
  const taken = [...inputs];
  if (redirected !== undefined) taken.push(['stdout', redirected]);
  for (const [flag, path] of outputs) {
    const output = identify(path);
    for (const [name, other] of taken) {
      if (sameFile(output, other)) throw new OutputFileError(flag, path, `is the same file as ${name}`);
    }
    taken.push([`${flag} ${path}`, output]);
    try {
      if (output.stats?.isDirectory() === true) throw new Error('is a directory');
      accessSync(output.stats === undefined ? dirname(output.real) : path, constants.W_OK);
    } catch (error) {
      const problem =
        (error as NodeJS.ErrnoException).code === 'ENOENT'
          ? 'cannot be created: its directory does not exist'
          : `cannot be written (${(error as Error).message})`;
      throw new OutputFileError(flag, path, problem);
    }
  }
}

/** An output JSONL file, opened synchronously so that a failure is a clean error naming the flag. */
class OutputFile {
  private readonly stream: WriteStream;
  private failure: Error | undefined;

  constructor(
    private readonly flag: string,
    private readonly path: string,
  ) {
    let fd: number;
    try {
      fd = openSync(path, 'w');
    } catch (error) {
      throw new OutputFileError(flag, path, `cannot be written (${(error as Error).message})`);
    }
    this.stream = createWriteStream(path, { fd });
    // A later write error (disk full) must end the run cleanly, not crash it as an unhandled 'error'.
    this.stream.on('error', (error) => (this.failure ??= error));
  }

  async write(text: string): Promise<void> {
    this.check();
    await write(this.stream, text);
  }

  async close(): Promise<void> {
    this.stream.end();
    if (!this.stream.writableFinished) await once(this.stream, 'finish').catch(() => undefined);
    this.check();
  }

  /** After a failed run: release the file without waiting for it. */
  abort(): void {
    this.stream.destroy();
  }

  private check(): void {
    if (this.failure !== undefined) {
      throw new OutputFileError(this.flag, this.path, `write failed (${this.failure.message})`);
    }
  }
}

interface InputLine {
  readonly event: Event;
  readonly partition: number;
  /** The Kafka record timestamp, when the line carries one (the record's, not the event's time). */
  readonly timestamp: number | undefined;
  /** The Kafka record key (`"$key"` on the line): the key of a pipeline keyed by `$key`. */
  readonly recordKey: string | undefined;
}

function parseLine(text: string, line: number): InputLine {
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
  if (!(
    Number.isInteger(partition) &&
    (partition as number) >= 0 &&
    (partition as number) <= MAX_PARTITION
  )) {
    throw new MalformedLineError(
      line,
      `"partition": expected a Kafka partition number (an integer from 0 to ${MAX_PARTITION}), got ${describeValue(partition)}`,
    );
  }
  const timestamp = (event as Event)['timestamp'] ?? undefined;
  if (timestamp !== undefined && !Number.isSafeInteger(timestamp)) {
    throw new MalformedLineError(
      line,
      `"timestamp": expected the record timestamp in epoch milliseconds (an integer), got ${describeValue(timestamp)}`,
    );
  }
  const recordKey = (event as Event)[RECORD_KEY] ?? undefined;
  if (recordKey !== undefined && typeof recordKey !== 'string') {
    throw new MalformedLineError(
      line,
      `"${RECORD_KEY}": expected the Kafka record key as a string, got ${describeValue(recordKey)}`,
    );
  }
  return {
    event: event as Event,
    partition: partition as number,
    timestamp: timestamp as number | undefined,
    recordKey: recordKey as string | undefined,
  };
}

function rejectedLine(line: number, error: EventTimeSkewError, event: Event): string {
  return `${JSON.stringify({ line, error: error.name, reason: error.message, event })}\n`;
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
  const { event, key, windowStart, windowEnd, watermark } = record;
  return `${JSON.stringify({ event, key, window_start: windowStart, window_end: windowEnd, watermark })}\n`;
}

async function write(stream: NodeJS.WritableStream, text: string): Promise<void> {
  if (!stream.write(text)) await once(stream, 'drain');
}

async function run(options: Options, io: CliIo): Promise<void> {
  checkFiles(options, io.stdout);
  // An unreadable input is found out before an output file is created or emptied.
  try {
    accessSync(options.input, constants.R_OK);
  } catch (error) {
    throw new InputFileError('--input', options.input, error);
  }
  let pipelinesText: string;
  try {
    pipelinesText = readFileSync(options.pipelines, 'utf8');
  } catch (error) {
    throw new InputFileError('--pipelines', options.pipelines, error);
  }
  const pipeline = findPipeline(parsePipelines(pipelinesText), options.pipeline);
  const operator = new KeyedWindowOperator<Event>(pipeline, { mode: options.mode });
  const keyOf = fieldReader(pipeline.key);
  const table = new ResultTable();
  const lateOut = options.late === undefined ? undefined : new OutputFile('--late', options.late);
  const rejectedOut =
    options.rejected === undefined ? undefined : new OutputFile('--rejected', options.rejected);
  // Keys must stay on one partition (as with Kafka's keyed partitioning): state is kept per partition.
  const partitionOfKey = new Map<string, number>();
  const takeOutput = async (): Promise<void> => {
    const output = operator.flush();
    table.apply(output);
    if (lateOut !== undefined && output.late.length > 0)
      await lateOut.write(output.late.map(lateLine).join(''));
  };

  let line = 0;
  let rejected = 0;
  const lines = createInterface({ input: createReadStream(options.input), crlfDelay: Infinity });
  try {
    for await (const text of lines) {
      line++;
      const { event, partition, timestamp, recordKey } = parseLine(text, line);
      try {
        operator.process(event, partition, undefined, timestamp, recordKey);
      } catch (error) {
        // What the services dead-letter is left out here and the run goes on; they would not stop either.
        if (error instanceof EventTimeSkewError) {
          rejected++;
          await rejectedOut?.write(rejectedLine(line, error, event));
          continue;
        }
        if (error instanceof MissingRecordTimestampError) {
          throw new MalformedLineError(line, `${error.message} (every line needs a "timestamp")`);
        }
        if (error instanceof InvalidEventError || error instanceof InvalidPartitionError) {
          throw new MalformedLineError(line, error.message);
        }
        throw error;
      }
      const key = pipeline.key === RECORD_KEY ? String(recordKey) : String(keyOf(event));
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
  } catch (error) {
    lateOut?.abort();
    rejectedOut?.abort();
    throw error;
  }
  await lateOut?.close();
  await rejectedOut?.close();
  if (rejected > 0) {
    io.stderr.write(
      `lk-window: ${rejected} event(s) left out: event time more than maxEventTimeSkew ` +
        `(${pipeline.maxEventTimeSkew}ms) ahead of the record timestamp` +
        (options.rejected === undefined
          ? ' (--rejected FILE lists them)\n'
          : `, listed in ${options.rejected}\n`),
    );
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
    // The caller's mistakes (exit 2, as runCli answers a UsageError/ConfigError in the other commands): the
    // message names what to fix; bad usage also gets the usage text.
    if (
      error instanceof UsageError ||
      error instanceof PipelineConfigError ||
      error instanceof InputFileError ||
      error instanceof MalformedLineError ||
      error instanceof OutputFileError
    ) {
      io.stderr.write(`lk-window: ${error.message}\n${error instanceof UsageError ? USAGE : ''}`);
      return 2;
    }
    io.stderr.write(`lk-window failed: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

// Guarded so that importing this file (tests) does not run it.
if (typeof require !== 'undefined' && require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
