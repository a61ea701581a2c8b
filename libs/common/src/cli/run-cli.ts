import { ConfigError } from '../errors';
import { UsageError } from './usage-error';

/** What a CLI's main returns: its exit code (nothing = 0). */
export type CliMain = (argv: string[]) => Promise<number | void> | number | void;

export interface CliOptions {
  /** the command's name, first on every error line (`lk-generate: --rate: …`) */
  name: string;
  /** printed after a usage error: the whole usage text, or a line saying where to find it */
  usage?: string;
  /** other errors that are the caller's mistake, answered like a UsageError (exit 2 with the usage) */
  isUsageError?: (error: unknown) => boolean;
  /** exit code of any other error (default 1); a CLI that documents another one sets it */
  failureCode?: number;
  /** what the failure line says before the message (default `<name> failed`) */
  failurePrefix?: string;
  /** print the stack of an unexpected error instead of its one-line message */
  stack?: boolean;
  /**
   * End the process once stdout and stderr are flushed, for commands whose clients may leave handles open
   * (sockets, timers); otherwise only process.exitCode is set and Node exits when the work is done.
   */
  forceExit?: boolean;
  /** for tests: the arguments (default process.argv after the script), the error stream, the exit */
  argv?: string[];
  stderr?: { write(text: string): unknown };
  exit?: (code: number) => void;
}

/**
 * The exit code and the stderr text for an error thrown by a CLI's main: UsageError, ConfigError (and what
 * `isUsageError` accepts) → 2 with the usage; anything else → `failureCode` (1) with one line.
 */
export function cliFailure(error: unknown, options: CliOptions): { code: number; message: string } {
  const text = error instanceof Error ? error.message : String(error);
  if (error instanceof UsageError || error instanceof ConfigError || options.isUsageError?.(error)) {
    const usage = options.usage ? `\n${options.usage.replace(/\n?$/, '\n')}` : '\n';
    return { code: 2, message: `${options.name}: ${text}${usage}` };
  }
  const detail =
    options.stack && error instanceof Error && error.stack
      ? error.stack
      : text.split('\n')[0] || String(error);
  return {
    code: options.failureCode ?? 1,
    message: `${options.failurePrefix ?? `${options.name} failed`}: ${detail}\n`,
  };
}

/**
 * Runs a CLI's main and maps its outcome to an exit code, the same way for every command of the repository.
 * Sets process.exitCode (never process.exit while output may be pending); resolves to the code.
 */
export async function runCli(main: CliMain, options: CliOptions): Promise<number> {
  const stderr = options.stderr ?? process.stderr;
  let code: number;
  try {
    code = (await main(options.argv ?? process.argv.slice(2))) ?? 0;
  } catch (error) {
    const failure = cliFailure(error, options);
    stderr.write(failure.message);
    code = failure.code;
  }
  if (options.exit) options.exit(code);
  else {
    process.exitCode = code;
    if (options.forceExit) await flushThenExit(code);
  }
  return code;
}

async function flushThenExit(code: number): Promise<void> {
  const flush = (stream: NodeJS.WriteStream) =>
    new Promise<void>((done) => (stream.writableLength === 0 ? done() : stream.write('', () => done())));
  await Promise.all([flush(process.stdout), flush(process.stderr)]);
  process.exit(code);
}
