import type { LoggerService } from '@nestjs/common';
import type { Logger } from '@lk/common';

/**
 * Nest's start-up chatter ("Mapped {/health, GET} route", "Nest application successfully started"): useful
 * when debugging wiring, noise otherwise, so it is logged at debug; the service logs its own "service started".
 */
const FRAMEWORK_CONTEXTS = new Set([
  'NestFactory',
  'NestApplication',
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
]);

/**
 * NestJS's LoggerService over our JSON Logger, so the framework's own lines (and those of `new Logger()` from
 * @nestjs/common in a service) are JSON lines like every other, never Nest's coloured plain text.
 */
export class NestJsonLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, ...params: unknown[]): void {
    const { context, rest } = splitContext(params);
    const level = context !== undefined && FRAMEWORK_CONTEXTS.has(context) ? 'debug' : 'info';
    this.logger[level](...this.line(message, context, rest));
  }

  error(message: unknown, ...params: unknown[]): void {
    const { context, rest } = splitContext(params);
    // Nest passes (message, stack, context); the stack string belongs with the message
    const [stack, ...others] = rest;
    if (typeof stack === 'string' && !(message instanceof Error)) {
      const [event, fields] = this.line(message, context, others);
      this.logger.error(event, { ...fields, stack });
      return;
    }
    this.logger.error(...this.line(message, context, rest));
  }

  fatal(message: unknown, ...params: unknown[]): void {
    this.error(message, ...params);
  }

  warn(message: unknown, ...params: unknown[]): void {
    const { context, rest } = splitContext(params);
    this.logger.warn(...this.line(message, context, rest));
  }

  debug(message: unknown, ...params: unknown[]): void {
    const { context, rest } = splitContext(params);
    this.logger.debug(...this.line(message, context, rest));
  }

  verbose(message: unknown, ...params: unknown[]): void {
    this.debug(message, ...params);
  }

  private line(
    message: unknown,
    context: string | undefined,
    rest: unknown[],
  ): [string, Record<string, unknown>] {
    const fields: Record<string, unknown> = { source: 'nest' };
    if (context !== undefined) fields.context = context;
    if (rest.length > 0) fields.details = rest;
    if (typeof message === 'string') return [message, fields];
    if (message instanceof Error) return [message.message, { ...fields, error: message }];
    return ['nest', { ...fields, details: [message, ...rest] }];
  }
}

/** Nest appends the context (the logging class's name) as the last string argument. */
function splitContext(params: unknown[]): { context: string | undefined; rest: unknown[] } {
  const last = params.at(-1);
  return typeof last === 'string'
    ? { context: last, rest: params.slice(0, -1) }
    : { context: undefined, rest: params };
}
