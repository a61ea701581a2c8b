import { ConfigError } from '../errors';
import { serializeError } from './serialize-error';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

const levelRank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export type LogSink = (line: string) => void;

/**
 * Logs go to stderr: stdout belongs to a command's output (the generator's JSON summary, lk-window's rows),
 * so a log line never corrupts what a caller parses.
 */
export const stderrSink: LogSink = (line) => {
  process.stderr.write(line + '\n');
};

/**
 * LOG_LEVEL, validated: a typo ("warning", "INFO ") is a configuration error naming the variable, not a
 * silent fall-back that hides the debug lines someone asked for.
 */
export function logLevelFromEnv(env: Record<string, string | undefined> = process.env): LogLevel {
  const raw = env.LOG_LEVEL;
  if (raw === undefined || raw === '') return 'info';
  if ((LOG_LEVELS as readonly string[]).includes(raw)) return raw as LogLevel;
  throw new ConfigError('LOG_LEVEL', `expected one of ${LOG_LEVELS.join(', ')}, got "${raw}"`);
}

/**
 * Structured JSON logger: one line per meaningful event (never per record), with a component name and
 * bound fields. The sink is injectable so tests can read what was logged. Without an explicit level it reads
 * LOG_LEVEL and throws a ConfigError for a bad value, so the first logger a program creates validates it.
 */
export class Logger {
  private readonly minRank: number;

  constructor(
    private readonly component: string,
    private readonly fields: Record<string, unknown> = {},
    private readonly minLevel: LogLevel = logLevelFromEnv(),
    private readonly sink: LogSink = stderrSink,
  ) {
    const rank = levelRank[minLevel];
    if (rank === undefined) throw new ConfigError('LOG_LEVEL', `unknown log level "${String(minLevel)}"`);
    this.minRank = rank;
  }

  child(fields: Record<string, unknown>): Logger {
    return new Logger(this.component, { ...this.fields, ...fields }, this.minLevel, this.sink);
  }

  /** Lets a caller skip building expensive fields for a line that would be dropped. */
  isEnabled(level: LogLevel): boolean {
    return levelRank[level] >= this.minRank;
  }

  debug(event: string, fields?: Record<string, unknown>): void {
    this.write('debug', event, fields);
  }
  info(event: string, fields?: Record<string, unknown>): void {
    this.write('info', event, fields);
  }
  warn(event: string, fields?: Record<string, unknown>): void {
    this.write('warn', event, fields);
  }
  error(event: string, fields?: Record<string, unknown>): void {
    this.write('error', event, fields);
  }

  private write(level: LogLevel, event: string, fields?: Record<string, unknown>): void {
    if (levelRank[level] < this.minRank) return;
    const entry = {
      time: new Date().toISOString(),
      level,
      component: this.component,
      event,
      ...this.fields,
      ...fields,
    };
    this.sink(JSON.stringify(entry, errorReplacer));
  }
}

function errorReplacer(_key: string, value: unknown): unknown {
  return value instanceof Error ? serializeError(value) : value;
}
