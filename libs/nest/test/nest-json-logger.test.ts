import 'reflect-metadata';
import { Controller, Get, Logger as NestLogger, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { describe, expect, it } from 'vitest';
import { Logger, type LogLevel } from '@lk/common';
import { NestJsonLogger } from '@lk/nest';

function capture(level: LogLevel = 'debug') {
  const lines: string[] = [];
  const adapter = new NestJsonLogger(new Logger('svc', {}, level, (line) => lines.push(line)));
  return { adapter, lines, parsed: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

// decorators applied as calls: the test transform does not compile TypeScript's legacy decorator syntax
class PingController {
  private readonly logger = new NestLogger(PingController.name);
  ping(): string {
    this.logger.log('pinged');
    return 'pong';
  }
}
Get()(PingController.prototype, 'ping', Object.getOwnPropertyDescriptor(PingController.prototype, 'ping')!);
Controller('ping')(PingController);

class PingModule {}
Module({ controllers: [PingController] })(PingModule);

describe('NestJsonLogger', () => {
  it('maps Nest levels onto ours, with the context as a field', () => {
    const { adapter, parsed } = capture();
    adapter.log('started jobs', 'JobsService');
    adapter.warn('slow', 'JobsService');
    adapter.debug('detail', 'JobsService');
    adapter.verbose('more detail', 'JobsService');
    adapter.fatal('gone', 'JobsService');
    expect(parsed().map(({ level, event, context }) => ({ level, event, context }))).toEqual([
      { level: 'info', event: 'started jobs', context: 'JobsService' },
      { level: 'warn', event: 'slow', context: 'JobsService' },
      { level: 'debug', event: 'detail', context: 'JobsService' },
      { level: 'debug', event: 'more detail', context: 'JobsService' },
      { level: 'error', event: 'gone', context: 'JobsService' },
    ]);
  });

  it("keeps Nest's (message, stack, context) error form, and an Error object with its cause", () => {
    const { adapter, parsed } = capture();
    adapter.error('boom', 'Error: boom\n    at x', 'ExceptionHandler');
    adapter.error(new Error('outer', { cause: new Error('inner') }), 'ExceptionsHandler');
    const [first, second] = parsed();
    expect(first).toMatchObject({ level: 'error', event: 'boom', stack: 'Error: boom\n    at x' });
    expect(second).toMatchObject({
      event: 'outer',
      error: { message: 'outer', cause: { message: 'inner' } },
    });
  });

  it("turns a real app's start-up and request logs into JSON lines; the route mapping at debug", async () => {
    const { adapter, lines, parsed } = capture('debug');
    const app = await NestFactory.create(PingModule, {
      logger: adapter,
      bufferLogs: true,
      abortOnError: false,
    });
    try {
      await app.listen(0, '127.0.0.1');
      expect(await (await fetch(`${await app.getUrl()}/ping`)).text()).toBe('pong');
    } finally {
      await app.close();
    }
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    const entries = parsed();
    expect(entries).toContainEqual(
      expect.objectContaining({
        level: 'debug',
        event: 'Mapped {/ping, GET} route',
        context: 'RouterExplorer',
      }),
    );
    expect(entries).toContainEqual(
      expect.objectContaining({ level: 'info', event: 'pinged', context: 'PingController' }),
    );
    // at the default level, the framework's start-up chatter is not printed at all
    const quiet = capture('info');
    const again = await NestFactory.create(PingModule, { logger: quiet.adapter, bufferLogs: true });
    await again.init();
    await again.close();
    expect(quiet.lines).toEqual([]);
  });
});
