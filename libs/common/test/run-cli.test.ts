import { describe, expect, it } from 'vitest';
import { ConfigError, UsageError, runCli, type CliOptions } from '../src';

class OptionError extends Error {}

async function run(main: Parameters<typeof runCli>[0], options: Partial<CliOptions> = {}) {
  let stderr = '';
  let exited: number | undefined;
  const code = await runCli(main, {
    name: 'lk-test',
    usage: 'Usage: lk-test [--x N]',
    argv: ['--x', '1'],
    stderr: { write: (text: string) => (stderr += text) },
    exit: (c) => (exited = c),
    ...options,
  });
  expect(exited).toBe(code);
  return { code, stderr };
}

describe('runCli', () => {
  it('passes the arguments and exits with what main returns (nothing = 0)', async () => {
    let seen: string[] = [];
    expect(await run((argv) => void (seen = argv))).toEqual({ code: 0, stderr: '' });
    expect(seen).toEqual(['--x', '1']);
    expect(await run(async () => 130)).toEqual({ code: 130, stderr: '' });
  });

  it('answers a UsageError with exit 2, the field, the problem and the usage', async () => {
    const result = await run(() => {
      throw new UsageError('--x', 'expected an integer, got "a"');
    });
    expect(result).toEqual({
      code: 2,
      stderr: 'lk-test: --x: expected an integer, got "a"\nUsage: lk-test [--x N]\n',
    });
  });

  it('answers a ConfigError and what isUsageError accepts the same way', async () => {
    const config = await run(async () => {
      throw new ConfigError('KAFKA_BROKERS', 'must not be empty');
    });
    expect(config.code).toBe(2);
    expect(config.stderr).toBe(
      'lk-test: invalid configuration: KAFKA_BROKERS: must not be empty\nUsage: lk-test [--x N]\n',
    );
    const option = await run(
      () => {
        throw new OptionError('--rate: must be >= 0');
      },
      { isUsageError: (error) => error instanceof OptionError, usage: 'Run lk-test --help for the options.' },
    );
    expect(option).toEqual({
      code: 2,
      stderr: 'lk-test: --rate: must be >= 0\nRun lk-test --help for the options.\n',
    });
  });

  it('answers any other error with exit 1 and one line, or the documented code and prefix', async () => {
    const failed = await run(async () => {
      throw new Error('connect ECONNREFUSED 127.0.0.1:9092\n    at some frame');
    });
    expect(failed).toEqual({ code: 1, stderr: 'lk-test failed: connect ECONNREFUSED 127.0.0.1:9092\n' });
    const couldNotRun = await run(
      async () => {
        throw 'not an Error';
      },
      { failureCode: 2, failurePrefix: 'lk-test could not run' },
    );
    expect(couldNotRun).toEqual({ code: 2, stderr: 'lk-test could not run: not an Error\n' });
  });

  it('prints the stack of an unexpected error when asked', async () => {
    const { code, stderr } = await run(
      async () => {
        throw new Error('boom');
      },
      { stack: true },
    );
    expect(code).toBe(1);
    expect(stderr).toMatch(/^lk-test failed: Error: boom\n\s+at /);
  });

  it('sets process.exitCode, and leaves process.exit alone, when no exit is given', async () => {
    const before = process.exitCode;
    try {
      const code = await runCli(async () => 3, { name: 'lk-test', argv: [] });
      expect(code).toBe(3);
      expect(process.exitCode).toBe(3);
    } finally {
      process.exitCode = before;
    }
  });
});
