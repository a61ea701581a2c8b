import { describe, expect, it } from 'vitest';
import { formatSummary, Pacer, ProgressReporter, type Clock } from '../src/producer';

class FakeClock implements Clock {
  time = 0;
  now(): number {
    return this.time;
  }
  async sleep(ms: number): Promise<void> {
    this.time += ms;
  }
}

describe('Pacer', () => {
  it('sends batches when they are due at the rate', async () => {
    const clock = new FakeClock();
    const pacer = new Pacer(100, clock);
    const starts: number[] = [];
    for (let i = 0; i < 4; i++) {
      await pacer.acquire(10);
      starts.push(clock.time);
    }
    expect(starts).toEqual([0, 100, 200, 300]);
  });

  it('catches up at most one burst after a stall', async () => {
    const clock = new FakeClock();
    const pacer = new Pacer(100, clock, 1);
    await pacer.acquire(10);
    clock.time += 10_000; // a 10 s stall
    const before = clock.time;
    let sentWithoutWaiting = 0;
    while (clock.time === before) {
      await pacer.acquire(10);
      if (clock.time === before) sentWithoutWaiting += 10;
    }
    // one second's worth at 100/s (plus the batch that restarted the schedule)
    expect(sentWithoutWaiting).toBeLessThanOrEqual(110);
  });

  it('never waits at rate 0 and sizes batches to ~20 sends per second', async () => {
    const clock = new FakeClock();
    await new Pacer(0, clock).acquire(1_000_000);
    expect(clock.time).toBe(0);
    expect(Pacer.batchSize(0, 1_000)).toBe(1_000);
    expect(Pacer.batchSize(10, 1_000)).toBe(1);
    expect(Pacer.batchSize(5_000, 1_000)).toBe(250);
    expect(Pacer.batchSize(1_000_000, 1_000)).toBe(1_000);
  });
});

describe('ProgressReporter', () => {
  it('prints a line per 10 % when not on a terminal', () => {
    const clock = new FakeClock();
    const out: string[] = [];
    const progress = new ProgressReporter(1_000, { isTTY: false, write: (text) => out.push(text) }, clock);
    for (let done = 10; done <= 1_000; done += 10) {
      clock.time += 1;
      progress.update(done);
    }
    progress.finish(1_000);
    expect(out.length).toBeGreaterThanOrEqual(10);
    expect(out.length).toBeLessThanOrEqual(12);
    expect(out.at(-1)).toMatch(/100% 1000\/1000/);
    expect(out.every((line) => line.endsWith('\n'))).toBe(true);
  });

  it('redraws in place on a terminal, at most every 100 ms', () => {
    const clock = new FakeClock();
    const out: string[] = [];
    const progress = new ProgressReporter(1_000, { isTTY: true, write: (text) => out.push(text) }, clock);
    for (let done = 1; done <= 1_000; done++) {
      clock.time += 1;
      progress.update(done);
    }
    progress.finish(1_000);
    expect(out.filter((text) => text.startsWith('\r')).length).toBeLessThanOrEqual(13);
    expect(out.at(-1)).toBe('\n');
  });
});

describe('formatSummary', () => {
  it('shows counts, rate and shares', () => {
    const text = formatSummary({
      topic: 't',
      sent: 200,
      elapsedMs: 2_000,
      eventsPerSecond: 100,
      perPartition: { 0: 150, 1: 50 },
      late: 2,
      duplicates: 1,
      v1: 50,
      v2: 150,
      interrupted: false,
    });
    expect(text).toContain('sent         200 in 2.00s = 100 events/s');
    expect(text).toContain('partitions   0:150 1:50');
    expect(text).toContain('late         2 (1.00%)');
    expect(text).toContain('v1 50 (25.00%), v2 150 (75.00%)');
  });
});
