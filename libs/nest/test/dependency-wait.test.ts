import { describe, expect, it } from 'vitest';
import { Logger, type StackDependency } from '@lk/common';
import { DependencyWait, DependencyWaitExpiredError, type HealthIndicator } from '@lk/nest';

/** Indicators whose state the test sets; a clock the test moves. */
function harness(startupWaitMs: number) {
  const down = new Map<StackDependency, string>();
  const indicators: HealthIndicator[] = (['kafka', 'postgres'] as const).map((name) => ({
    name,
    check: async () => {
      const reason = down.get(name);
      if (reason !== undefined) throw new Error(reason);
    },
  }));
  const lines: Record<string, unknown>[] = [];
  const logger = new Logger('svc', {}, 'debug', (line) =>
    lines.push(JSON.parse(line) as Record<string, unknown>),
  );
  let now = 1_000_000;
  const wait = new DependencyWait({ startupWaitMs, healthTimeoutMs: 100 }, indicators, logger, () => now);
  return { wait, down, lines, advance: (ms: number) => void (now += ms) };
}

describe('DependencyWait', () => {
  it('gives the error back at once when every dependency answers: the failure is the service own', async () => {
    const { wait, lines } = harness(60_000);
    const own = new Error('definition changed under the same version');
    await expect(wait.delayAfter(own)).rejects.toBe(own);
    expect(lines).toEqual([]);
  });

  it('waits 1 s doubling to 30 s while a dependency is down, never past the deadline; one line when it begins, one when through', async () => {
    const { wait, down, lines, advance } = harness(200_000);
    down.set('kafka', 'connect ECONNREFUSED 127.0.0.1:9092');
    const delays: number[] = [];
    for (;;) {
      const delayMs = await wait.delayAfter(new Error('Connection error')).catch(() => undefined);
      if (delayMs === undefined) break;
      delays.push(delayMs);
      advance(delayMs + 8_000); // each failed start itself takes 8 s
    }
    // waited before each: 0, 9, 19, 31, 47, 71, 109, 147, 185 s; 15 s left at the last, 208 s after it
    expect(delays).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000, 15_000]);
    expect(lines.map((line) => [line.level, line.event])).toEqual([
      ['warn', 'start-up waits for unavailable dependencies'],
    ]);
    expect(lines[0]).toMatchObject({
      unavailable: [{ dependency: 'kafka', error: 'connect ECONNREFUSED 127.0.0.1:9092' }],
      retryInMs: 1_000,
      waitUpToMs: 200_000,
    });
    wait.started();
    expect(lines[1]).toMatchObject({ level: 'info', event: 'dependencies available, start-up went through' });
  });

  it('ends the wait with a DependencyWaitExpiredError naming what is still down, the last error as its cause', async () => {
    const { wait, down, advance } = harness(10_000);
    down.set('postgres', 'connect ECONNREFUSED 127.0.0.1:5432');
    expect(await wait.delayAfter(new Error('first'))).toBe(1_000);
    advance(10_000);
    const last = new Error('last');
    const expired = await wait.delayAfter(last).catch((error: unknown) => error);
    expect(expired).toBeInstanceOf(DependencyWaitExpiredError);
    expect((expired as DependencyWaitExpiredError).message).toBe(
      'postgres (connect ECONNREFUSED 127.0.0.1:5432) did not become available within 10000 ms (STARTUP_DEPENDENCY_WAIT_MS)',
    );
    expect((expired as DependencyWaitExpiredError).cause).toBe(last);
  });

  it('does not wait at all with STARTUP_DEPENDENCY_WAIT_MS=0', async () => {
    const { wait, down } = harness(0);
    down.set('kafka', 'down');
    await expect(wait.delayAfter(new Error('x'))).rejects.toBeInstanceOf(DependencyWaitExpiredError);
  });

  it('says nothing on a start that went through without waiting', () => {
    const { wait, lines } = harness(1_000);
    wait.started();
    expect(lines).toEqual([]);
  });
});
