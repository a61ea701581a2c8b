export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const levelRank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export type LogSink = (line: string) => void;

/**
 * Structured JSON logger: one line per meaningful event (never per record), with a component name and
 * bound fields. The sink is injectable so tests can read what was logged.
 */
export class Logger {
  constructor(
    private readonly component: string,
    private readonly fields: Record<string, unknown> = {},
    private readonly minLevel: LogLevel = (process.env.LOG_LEVEL as LogLevel | undefined) ?? 'info',
    private readonly sink: LogSink = (line) => process.stdout.write(line + '\n'),
  ) {}

  child(fields: Record<string, unknown>): Logger {
    return new Logger(this.component, { ...this.fields, ...fields }, this.minLevel, this.sink);
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
    if (levelRank[level] < (levelRank[this.minLevel] ?? 20)) return;
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
  return value instanceof Error ? { name: value.name, message: value.message } : value;
}
