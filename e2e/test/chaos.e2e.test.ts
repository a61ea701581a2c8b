import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { consumeUntil, DeadLetterHeaders } from '@lk/kafka';
import { FAULT_STACK_PORTS, OwnStack } from '../src/support/own-stack';
import { ServiceProcess } from '../src/support/service-process';
import { SpeedScenario } from '../src/support/speed-scenario';
import { expectGroundTruth } from './support/expect-ground-truth';

/**
 * The platform while things break: a run of LK_CHAOS_EVENTS events (default 60 k; `pnpm test:chaos` runs 1 M)
 * produced over 30 s, with the speed layer, a batch
 * worker, the merge service and the admin API each killed with SIGKILL again and again (and restarted), the
 * broker restarted once and a poison corpus injected mid-stream. Every result must end where the ground truth
 * (`lk-window` over the generator's JSONL) ends, and where an undisturbed Kappa replay of the same log ends;
 * the DLQ holds the poison records and nothing else. A second test restarts Postgres once under the same
 * services.
 *
 * Both run on the fault suites' stack (test-setup/fault-stack.ts: its own broker, registry and PostgreSQL; the
 * machine's Redis), so the broker and the PostgreSQL they restart are ones they started.
 */
const chaosEvents = Number(process.env.LK_CHAOS_EVENTS ?? 60_000);
/** The production is spread over this long, whatever the count: the kills land while events arrive. */
const PRODUCE_SECONDS = 30;
const ownStack = new OwnStack('chaos', FAULT_STACK_PORTS, inject('faultStackDir'));
const token = 'chaos-admin-token-0123456789';
const scenarios: SpeedScenario[] = [];

// up reuses what is running (the speed-fault suite shares the stack); the project's global setup takes it down
beforeAll(() => ownStack.run('up'), 300_000);
afterAll(async () => {
  for (const scenario of scenarios) await scenario.cleanup();
}, 600_000);

const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const services = ['speed', 'batch', 'merge', 'admin'] as const;
type Service = (typeof services)[number];

/** The four services of one scenario, each restartable; what was killed, counted. */
class Services {
  readonly current = new Map<Service, ServiceProcess>();
  readonly kills: Record<Service, number> = { speed: 0, batch: 0, merge: 0, admin: 0 };
  /** every process ever started, for the error-line check at the end */
  readonly all: ServiceProcess[] = [];
  private adminUrl = '';

  constructor(private readonly scenario: SpeedScenario) {}

  /** processes that exited during start-up (a dependency restarting), each replaced by a new one */
  readonly failedStarts: ServiceProcess[] = [];

  /** Starts the service; as a supervisor (compose's `restart: unless-stopped`) would, again if it exits. */
  async start(service: Service): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const process = this.spawn(service);
      this.current.set(service, process);
      this.all.push(process);
      try {
        const started = await process.waitForLog(
          service === 'batch' ? 'replay worker started' : 'service started',
          120_000,
        );
        if (service === 'admin') this.adminUrl = String(started.url);
        return;
      } catch (error) {
        if (process.running || attempt >= 5) throw error;
        this.failedStarts.push(process);
        await pause(1_000);
      }
    }
  }

  async killAndRestart(service: Service): Promise<void> {
    await this.current.get(service)!.kill();
    this.kills[service]++;
    await this.start(service);
  }

  /** An admin API call, retried while the admin process is down or restarting (it may be killed any time). */
  async api<T>(method: string, path: string, body?: unknown): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        const response = await fetch(`${this.adminUrl}${path}`, {
          method,
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(30_000),
        });
        if (response.status >= 500 && attempt < 60) throw new Error(`${response.status}`);
        const json = (await response.json()) as T;
        if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
        return json;
      } catch (error) {
        if (attempt >= 60 || String(error).includes(`${method} ${path}:`)) throw error;
        await pause(500);
      }
    }
  }

  private spawn(service: Service): ServiceProcess {
    switch (service) {
      case 'speed':
        return this.scenario.startSpeed(1);
      case 'batch':
        // a killed worker's jobs are taken over after the lock's 15 s instead of 30 s: the run still meets
        // every kill, and waits less for each
        return this.scenario.startBatch({ BATCH_LOCK_DURATION_MS: '15000' });
      case 'merge':
        return this.scenario.startMerge({ MERGE_POLL_INTERVAL_MS: '500', MERGE_COMPARE_INTERVAL_MS: '0' });
      case 'admin':
        return this.scenario.startAdmin({ ADMIN_TOKEN: token });
    }
  }
}

/** How many times each service is killed at least, whatever the run's length. */
const MIN_KILLS_EACH = 2;

/**
 * Kills a service every 4–8 s (and restarts it) until stopped: each in turn, in a random order per round, so
 * every one is hit again and again whatever the run's length. Stopping finishes only once every service has
 * been killed MIN_KILLS_EACH times, so a short run proves what a long one does.
 */
function chaosMonkey(running: Services): { stop: () => Promise<void> } {
  let stopped = false;
  const enough = () => services.every((service) => running.kills[service] >= MIN_KILLS_EACH);
  const loop = (async () => {
    while (!stopped || !enough()) {
      const round = [...services].sort(() => Math.random() - 0.5);
      for (const service of round) {
        // 4-8 s apart (each service every 16-32 s): a killed worker's job waits out BullMQ's 30 s lock before
        // another takes it; killed every ~12 s, a sliding-window batch run crept for 9 minutes
        await pause(4_000 + Math.random() * 4_000);
        if (stopped && enough()) return;
        await running.killAndRestart(service);
      }
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      await loop;
    },
  };
}

interface RunRow {
  id: string;
  pipeline: string;
  mode: string;
  status: string;
  job_id: string;
}

async function waitForRuns(scenario: SpeedScenario, ids: string[], timeoutMs = 600_000): Promise<RunRow[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rows = await scenario.database
      .query<RunRow>('select id, pipeline, mode, status, job_id from replay_runs where id = any($1)', [ids])
      .catch(() => [] as RunRow[]);
    if (
      rows.length === ids.length &&
      rows.every((r) => ['completed', 'failed', 'cancelled'].includes(r.status))
    )
      return rows;
    if (Date.now() > deadline) throw new Error(`runs not finished: ${JSON.stringify(rows)}`);
    await pause(500);
  }
}

/** The merge service's comparison after each run (trigger `replay:<id>`), once it has made them all. */
async function waitForComparisons(
  scenario: SpeedScenario,
  runIds: string[],
  timeoutMs = 300_000,
): Promise<
  { id: string; trigger: string; status: string; unexplained_rows: string; error: string | null }[]
> {
  const triggers = runIds.map((id) => `replay:${id}`);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rows = await scenario.database.query<{
      id: string;
      trigger: string;
      status: string;
      unexplained_rows: string;
      error: string | null;
    }>('select id, trigger, status, unexplained_rows, error from comparisons where trigger = any($1)', [
      triggers,
    ]);
    if (new Set(rows.map((r) => r.trigger)).size === triggers.length) return rows;
    if (Date.now() > deadline)
      throw new Error(`comparisons after ${triggers.join(', ')} not all made: ${JSON.stringify(rows)}`);
    await pause(500);
  }
}

/** Bad records of every kind the decoder refuses; each must reach the DLQ once per reader, nothing else must. */
function poisonCorpus(): { key: string; value: Buffer | null }[] {
  return [
    { key: 'poison-text', value: Buffer.from('not avro at all') },
    { key: 'poison-unknown-schema', value: Buffer.from([0, 0, 0, 0x7f, 0x7f, 1, 2, 3]) },
    { key: 'poison-null', value: null },
    // a registered schema id (the contract's v1 is registered first) with a body cut short
    { key: 'poison-truncated', value: Buffer.from([0, 0, 0, 0, 1, 0x48]) },
    { key: 'poison-empty', value: Buffer.alloc(0) },
    { key: 'poison-huge', value: Buffer.concat([Buffer.from([0, 0, 0, 0, 1]), Buffer.alloc(200_000, 0xff)]) },
  ];
}

describe('chaos', () => {
  it(`${chaosEvents} events while speed, batch worker, merge and admin are killed again and again and the broker restarts: exact`, async () => {
    const scenario = new SpeedScenario('chaos', ownStack.env);
    scenarios.push(scenario);
    await scenario.createTopics();
    const running = new Services(scenario);
    for (const service of services) await running.start(service);
    const started = Date.now();

    // 20 k events per event-minute over 2 000 keys: ~10 events per key and minute, as a busy service sees
    const producing = scenario.generate(chaosEvents, Math.ceil(chaosEvents / PRODUCE_SECONDS), {
      seed: 53,
      start: '2026-07-01T00:00:00Z',
      keys: 2000,
      eventTimePerSecond: '1m',
      nominalRate: 20_000,
    });
    const poison = poisonCorpus();
    const poisonAt = new Set<string>();
    const brokerRestarts = 1;
    let batchRuns: RunRow[];
    const monkey = chaosMonkey(running);
    try {
      await pause(8_000);
      const producer = scenario.kafka.producer();
      await producer.connect();
      for (const record of poison) {
        const [position] = await producer.send(scenario.topic, [record]);
        poisonAt.add(`${position!.partition}@${position!.baseOffset}`);
      }
      await producer.disconnect();
      await pause(5_000);
      ownStack.run('restart-broker');
      expect(await producing, 'generator exit code').toBe(0);

      // the Lambda batch runs, through the admin API, while the killing goes on
      const batch = await running.api<{ runs: { id: string }[] }>('POST', '/replays', { mode: 'batch' });
      batchRuns = await waitForRuns(
        scenario,
        batch.runs.map((r) => r.id),
        1_200_000,
      );
      await scenario.caughtUp(1, 600_000);
    } finally {
      // also when something above failed: no kill may reach the next test
      await monkey.stop();
    }
    const chaosSeconds = Math.round((Date.now() - started) / 1000);

    // the undisturbed run: a Kappa replay of every pipeline, nothing killed
    const kappa = await running.api<{ runs: { id: string }[] }>('POST', '/replays', { mode: 'kappa' });
    const kappaRuns = await waitForRuns(
      scenario,
      kappa.runs.map((r) => r.id),
    );
    expect([...batchRuns, ...kappaRuns].map((r) => `${r.id} ${r.status}`)).toEqual(
      [...batchRuns, ...kappaRuns].map((r) => `${r.id} completed`),
    );

    // nothing lost, nothing doubled: the log holds what was produced, every job read all of it
    const produced = scenario.generated().length;
    expect(await scenario.endOffsetTotal()).toBe(produced + poison.length);
    for (const pipeline of scenario.pipelines) {
      const batchRun = batchRuns.find((r) => r.pipeline === pipeline.name)!;
      const kappaRun = kappaRuns.find((r) => r.pipeline === pipeline.name)!;
      await expectGroundTruth(scenario, pipeline, scenario.jobId(pipeline, 1), 'stream');
      await expectGroundTruth(scenario, pipeline, batchRun.job_id, 'batch');
      const undisturbed = await scenario.storedResultsOf(kappaRun.job_id);
      expect(
        scenario.differingRows(pipeline, await scenario.storedResults(pipeline, 1), undisturbed),
        `${pipeline.name}: v1 under chaos vs the undisturbed ${kappaRun.job_id}`,
      ).toEqual([]);
    }

    // the DLQ: exactly the poison records (once per job that read them), each with its reason
    const dlqSize = await scenario.endOffsetTotal(`${scenario.topic}.dlq`);
    const letters = await consumeUntil(scenario.kafka, {
      topics: [`${scenario.topic}.dlq`],
      groupId: `lk-chaos-dlq-${scenario.suffix}`,
      done: (records) => records.length >= dlqSize,
    });
    const position = (letter: (typeof letters)[number]): string =>
      `${String(letter.headers[DeadLetterHeaders.originalPartition])}@${String(letter.headers[DeadLetterHeaders.originalOffset])}`;
    const lettered = new Set(letters.map(position));
    expect(lettered).toEqual(poisonAt);
    for (const letter of letters) {
      expect(String(letter.headers[DeadLetterHeaders.errorClass] ?? '')).toMatch(/Error$/);
      expect(String(letter.headers[DeadLetterHeaders.errorMessage] ?? '')).not.toBe('');
    }

    // the merge service compared after every run, killed or not, and found nothing unexplained
    const comparisons = await waitForComparisons(
      scenario,
      [...batchRuns, ...kappaRuns].map((r) => r.id),
    );
    for (const comparison of comparisons) {
      expect(comparison.status, `${comparison.trigger}: ${comparison.error}`).toBe('completed');
      const unexplained = await scenario.database.query(
        `select key, window_start, window_end, partition, reason, left_values, right_values from comparison_rows
         where comparison_id = $1 and class = 'unexplained' limit 5`,
        [comparison.id],
      );
      expect(unexplained, `${comparison.trigger}: ${comparison.unexplained_rows} unexplained`).toEqual([]);
    }
    // restarts are expected; an ERROR line (something a human must look at) is not
    // a process that exited during start-up was replaced (as compose's restart policy does); reported, not hidden
    const failedStarts = running.failedStarts.map((p) => p.logLines().find((line) => line.level === 'error'));
    const errors = running.all
      .filter((p) => !running.failedStarts.includes(p))
      .flatMap((p) => p.logLines().filter((line) => line.level === 'error'));
    expect(errors).toEqual([]);
    const summary = {
      failedStarts: failedStarts.map((line) =>
        `${String(line?.component)}: ${JSON.stringify(line?.error)}`.slice(0, 300),
      ),
      events: produced,
      poison: poison.length,
      kills: running.kills,
      brokerRestarts,
      chaosSeconds,
      batchRuns: batchRuns.length,
      kappaRuns: kappaRuns.length,
      comparisons: comparisons.length,
    };
    process.stderr.write(`chaos summary ${JSON.stringify(summary)}\n`);
    expect(
      Object.values(running.kills).every((kills) => kills >= MIN_KILLS_EACH),
      JSON.stringify(running.kills),
    ).toBe(true);
  }, 1_800_000);

  it('Postgres restarts once under the speed layer, a batch run, merge and admin: exact, and every service recovers', async () => {
    const scenario = new SpeedScenario('chaos-postgres', ownStack.env);
    scenarios.push(scenario);
    await scenario.createTopics();
    const running = new Services(scenario);
    for (const service of services) await running.start(service);
    const half = Math.max(20_000, Math.round(chaosEvents / 10));
    const options = { keys: 2000, eventTimePerSecond: '1m', nominalRate: 20_000 };
    expect(await scenario.generate(half, 0, { seed: 59, start: '2026-08-01T00:00:00Z', ...options })).toBe(0);
    const batch = await running.api<{ runs: { id: string }[] }>('POST', '/replays', { mode: 'batch' });
    const producing = scenario.generate(half, 0, { seed: 61, start: '2026-08-01T01:00:00Z', ...options });
    await running.current.get('batch')!.waitForLog('partition replay started');
    ownStack.restartPostgres();
    expect(await producing).toBe(0);
    const batchRuns = await waitForRuns(
      scenario,
      batch.runs.map((r) => r.id),
    );
    expect(batchRuns.map((r) => r.status)).toEqual(batchRuns.map(() => 'completed'));
    await scenario.caughtUp(1, 600_000);

    // each batch run read the log as it was when it started: the first half
    const ends = new Map(
      (
        await scenario.database.query<{ partition: number; end_offset: string }>(
          'select partition, end_offset from replay_partitions where run_id = $1',
          [batchRuns[0]!.id],
        )
      ).map((row) => [row.partition, Number(row.end_offset)]),
    );
    expect([...ends.values()].reduce((sum, end) => sum + end, 0)).toBe(half);
    for (const pipeline of scenario.pipelines) {
      await expectGroundTruth(scenario, pipeline, scenario.jobId(pipeline, 1), 'stream');
      const run = batchRuns.find((r) => r.pipeline === pipeline.name)!;
      const expected = scenario.expectedByLkWindow(pipeline, {
        mode: 'batch',
        records: (record) => record.offset < (ends.get(record.partition) ?? 0),
      });
      const stored = await scenario.storedResultsOf(run.job_id);
      expect(scenario.differingRows(pipeline, stored, expected.results), run.job_id).toEqual([]);
    }
    const comparisons = await waitForComparisons(
      scenario,
      batchRuns.map((r) => r.id),
    );
    for (const comparison of comparisons) {
      expect(comparison.status, `${comparison.trigger}: ${comparison.error}`).toBe('completed');
      expect(Number(comparison.unexplained_rows), comparison.trigger).toBe(0);
    }
    // nobody crashed for good: the first process of each service is still the one running, and answers
    for (const service of services) expect(running.current.get(service)!.running, service).toBe(true);
    expect(running.all).toHaveLength(services.length);
    expect(await running.api<{ status: string }>('GET', '/health')).toMatchObject({ status: 'ok' });
    const errors = running.all.flatMap((p) => p.logLines().filter((line) => line.level === 'error'));
    expect(errors).toEqual([]);
  }, 1_200_000);
});
