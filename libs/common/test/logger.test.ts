import { describe, expect, it, vi } from 'vitest';
import { ConfigError, Logger, logLevelFromEnv, serializeError } from '@lk/common';

function capture(minLevel: 'debug' | 'info' | 'warn' | 'error' = 'info') {
  const lines: Record<string, unknown>[] = [];
  const logger = new Logger('speed', { pipeline: 'p1' }, minLevel, (line) => lines.push(JSON.parse(line)));
  return { logger, lines };
}

describe('Logger', () => {
  it('writes one JSON line per event with component, bound fields and event fields', () => {
    const { logger, lines } = capture();
    logger.child({ partition: 3 }).info('flush committed', { records: 500 });
    expect(lines).toEqual([
      {
        time: expect.any(String),
        level: 'info',
        component: 'speed',
        event: 'flush committed',
        pipeline: 'p1',
        partition: 3,
        records: 500,
      },
    ]);
    expect(new Date(lines[0]!.time as string).toString()).not.toBe('Invalid Date');
  });

  it('drops events below the minimum level', () => {
    const { logger, lines } = capture('warn');
    logger.debug('a');
    logger.info('b');
    logger.warn('c');
    logger.error('d');
    expect(lines.map((l) => l.event)).toEqual(['c', 'd']);
    expect(logger.isEnabled('info')).toBe(false);
    expect(logger.isEnabled('error')).toBe(true);
  });

  it('serializes errors with name, message, stack, own fields and the cause chain', () => {
    const { logger, lines } = capture();
    const root = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    logger.error('decode failed', { error: new RangeError('bad offset', { cause: root }) });
    const error = lines[0]!.error as Record<string, unknown>;
    expect(error).toMatchObject({ name: 'RangeError', message: 'bad offset' });
    expect(error.stack).toMatch(/^RangeError: bad offset\n\s+at /);
    expect(error.cause).toMatchObject({
      name: 'Error',
      message: 'connect ECONNREFUSED 127.0.0.1:5432',
      code: 'ECONNREFUSED',
      stack: expect.stringContaining('ECONNREFUSED'),
    });
  });

  it('names a field holding a class instance (pg puts its whole client on an error) instead of writing it out', () => {
    class Client {
      readonly connection = { stream: { _events: {} }, parsedStatements: {} };
      readonly password = 'secret';
    }
    const error = Object.assign(new Error('terminating connection due to administrator command'), {
      code: '57P01',
      client: new Client(),
      detail: { table: 'window_results' },
      at: new Date(Date.UTC(2026, 10, 28)),
      hosts: ['a', 'b'],
    });
    expect(serializeError(error)).toMatchObject({
      code: '57P01',
      client: '[Client]',
      detail: { table: 'window_results' },
      at: '2026-11-28T00:00:00.000Z',
      hosts: ['a', 'b'],
    });
  });

  it('bounds a cause chain (and survives a cycle) instead of recursing without end', () => {
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    (a as { cause?: unknown }).cause = b;
    const serialized = serializeError(a);
    const chain: Record<string, unknown>[] = [];
    for (let node = serialized as Record<string, unknown> | undefined; node; node = node.cause as typeof node)
      chain.push(node);
    // five levels in full, then a marker that says the chain goes on
    expect(chain).toHaveLength(6);
    expect(chain.at(-1)).toEqual({ name: 'Error', message: 'b', truncated: true });
    const { logger, lines } = capture();
    logger.error('cycle', { error: a });
    expect(lines).toHaveLength(1);
  });

  it('keeps the first errors of an AggregateError', () => {
    const errors = Array.from({ length: 50 }, (_, i) => new Error(`e${i}`));
    const serialized = serializeError(new AggregateError(errors, 'all failed'));
    expect(serialized.errors).toHaveLength(10);
    expect(serialized.errors![0]).toMatchObject({ message: 'e0' });
  });

  it('defaults LOG_LEVEL to info and refuses a bad value with a ConfigError naming it', () => {
    expect(logLevelFromEnv({})).toBe('info');
    expect(logLevelFromEnv({ LOG_LEVEL: 'debug' })).toBe('debug');
    for (const bad of ['verbose', 'INFO', 'warning', ' info']) {
      expect(() => logLevelFromEnv({ LOG_LEVEL: bad })).toThrow(ConfigError);
      expect(() => logLevelFromEnv({ LOG_LEVEL: bad })).toThrow(/LOG_LEVEL: expected one of debug, info/);
    }
  });

  it('validates LOG_LEVEL when a logger is created without an explicit level', () => {
    const saved = process.env.LOG_LEVEL;
    process.env.LOG_LEVEL = 'loud';
    try {
      expect(() => new Logger('cli')).toThrow(/LOG_LEVEL/);
      expect(() => new Logger('cli', {}, 'info')).not.toThrow();
    } finally {
      if (saved === undefined) delete process.env.LOG_LEVEL;
      else process.env.LOG_LEVEL = saved;
    }
  });

  it('writes to stderr by default, leaving stdout to the program', () => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      new Logger('cli', {}, 'info').info('hello', { n: 1 });
      expect(stdout).not.toHaveBeenCalled();
      expect(stderr).toHaveBeenCalledTimes(1);
      const line = String(stderr.mock.calls[0]![0]);
      expect(line.endsWith('\n')).toBe(true);
      expect(JSON.parse(line)).toMatchObject({ level: 'info', component: 'cli', event: 'hello', n: 1 });
    } finally {
      stderr.mockRestore();
      stdout.mockRestore();
    }
  });
});
