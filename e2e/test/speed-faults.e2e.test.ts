import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { FAULT_STACK_PORTS, OwnStack } from '../src/support/own-stack';
import { SpeedScenario } from '../src/support/speed-scenario';
import { expectGroundTruth } from './support/expect-ground-truth';

/**
 * The speed layer through the faults it must survive in place: members joining and leaving mid-run
 * (1 → 3 → 1 instances, one of them killed), the broker restarting, Postgres restarting. Each run must end
 * exactly where `lk-window --mode stream` over what was produced ends.
 */
const scenarios: SpeedScenario[] = [];
/**
 * The broker and PostgreSQL restarts run on the fault suites' stack (test-setup/fault-stack.ts: its own broker,
 * registry and PostgreSQL; the machine's Redis): started by these suites, so theirs to restart.
 */
const ownStack = new OwnStack('speed-faults', FAULT_STACK_PORTS, inject('faultStackDir'), {
  // replays of this stack on queues of their own: workers of the shared stack (sharing Redis) never take them
  REPLAY_QUEUE_PREFIX: 'lk-faults',
});

// up reuses what is running (the chaos suite shares the stack); the project's global setup takes it down
beforeAll(() => ownStack.run('up'), 300_000);
afterAll(async () => {
  for (const scenario of scenarios) await scenario.cleanup();
}, 600_000);

async function expectExact(scenario: SpeedScenario, version: number): Promise<void> {
  await scenario.caughtUp(version);
  for (const pipeline of scenario.pipelines)
    await expectGroundTruth(scenario, pipeline, scenario.jobId(pipeline, version));
}

const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('speed layer under faults', () => {
  it('rebalances 1 → 3 → 1 instances mid-run (one leaving with SIGTERM, one killed) without a difference', async () => {
    const scenario = new SpeedScenario('speed-rebalance');
    scenarios.push(scenario);
    await scenario.createTopics();
    const first = scenario.startSpeed(1);
    await first.waitForLog('service started');
    const producing = scenario.generate(60_000, 4_000, { seed: 23, start: '2026-04-01T00:00:00Z' });
    await pause(3_000);
    const second = scenario.startSpeed(1);
    const third = scenario.startSpeed(1);
    await Promise.all([second.waitForLog('service started'), third.waitForLog('service started')]);
    await pause(5_000);
    expect(await second.stop('SIGTERM')).toBe(0);
    await third.kill();
    expect(await producing).toBe(0);
    await expectExact(scenario, 1);
    expect(first.running).toBe(true);
  });

  it('survives a broker restart and a Postgres restart mid-run without a difference', async () => {
    const scenario = new SpeedScenario('speed-restarts', ownStack.env);
    scenarios.push(scenario);
    await scenario.createTopics();
    expect(await scenario.generate(40_000, 0, { seed: 29, start: '2026-05-01T00:00:00Z' })).toBe(0);
    const speed = scenario.startSpeed(1, { SPEED_FLUSH_MAX_EVENTS: '2000' });
    await speed.waitForLog('service started');
    ownStack.run('restart-broker');
    expect(await scenario.generate(40_000, 0, { seed: 31, start: '2026-05-01T12:00:00Z' })).toBe(0);
    ownStack.restartPostgres();
    expect(await scenario.generate(20_000, 0, { seed: 37, start: '2026-05-02T00:00:00Z' })).toBe(0);
    await expectExact(scenario, 1);
    expect(speed.running, speed.stderr.slice(-2000)).toBe(true);
    const events = speed.logLines().map((line) => line.event);
    expect(events).toContain('Postgres answers again; consumption resumed');
  });

  it('a batch replay survives a broker restart and a Postgres restart mid-run without a difference', async () => {
    const scenario = new SpeedScenario('replay-restarts', ownStack.env);
    scenarios.push(scenario);
    await scenario.createTopics();
    expect(await scenario.generate(40_000, 0, { seed: 41, start: '2026-06-01T00:00:00Z' })).toBe(0);
    // one job at a time, small fetches and frequent flushes: the run is still going when the faults hit
    const worker = scenario.startBatch({
      BATCH_CONCURRENCY: '1',
      BATCH_FLUSH_INTERVAL_MS: '20',
      BATCH_FETCH_MAX_BYTES: '2048',
    });
    await worker.waitForLog('replay worker started');
    const pipeline = scenario.pipelines[1]!; // sliding: five windows per event
    const replay = scenario.replayCli(['--mode', 'batch', '--pipeline', pipeline.name, '--wait'], 280_000);
    await worker.waitForLog('partition replay started');
    // PostgreSQL first: its restart takes a second, so it meets the run however fast the run goes on a quiet
    // machine; the broker's restart (a JVM stopping and starting) follows
    ownStack.restartPostgres();
    ownStack.run('restart-broker');
    const { code, stdout, stderr } = await replay;
    expect(code, stderr).toBe(0);
    const runId = stdout.split('\n')[0]!.trim();
    await expectGroundTruth(scenario, pipeline, `batch:${runId}`, 'batch');
    expect(worker.running, worker.stderr.slice(-2000)).toBe(true);
    // the faults were met mid-run: jobs waited for the broker or Postgres (without spending attempts)
    const waited = worker
      .logLines()
      .filter((line) => line.event === 'partition job waits for an unavailable dependency');
    expect(waited.length).toBeGreaterThan(0);
    expect(worker.logLines().filter((line) => line.level === 'error')).toEqual([]);
  });
});
