import { describe, expect, it } from 'vitest';
import { Logger } from '@lk/common';

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
  });

  it('serializes errors by name and message', () => {
    const { logger, lines } = capture();
    logger.error('decode failed', { error: new RangeError('bad offset') });
    expect(lines[0]!.error).toEqual({ name: 'RangeError', message: 'bad offset' });
  });
});
