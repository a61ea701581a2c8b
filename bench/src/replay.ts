// Replays on the batch workers against the real stack: a Lambda batch run of the tumbling pipeline over a
// pre-filled 12-partition topic with 1 and 2 worker processes (BATCH_CONCURRENCY 2 each), as events/s from the
// run's start to its completion (Postgres timestamps), against Kafka's own ConsumerPerformance on the same
// topic in the same run; a Kappa replay with 2 workers; and where a worker's time goes (CPU profile).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { loadStackConfig, Logger, runCli } from '@lk/common';
import { KafkaClient } from '@lk/kafka';
import { parsePipelines, type Pipeline } from '@lk/operators';
import { redisConnection, REPLAY_QUEUE, ReplayLauncher } from '@lk/replays';
import { Database, StreamJobStore, type ReplayMode, type ReplayRun } from '@lk/store';
import { summarizeProfile, type ProfileSummary } from './profile';
import { machineInfo, writeResults } from './results';
import { consumerPerformance, endOffsetTotal, prefill, root } from './stack';

const BATCH_MAIN = join(root, 'services/batch/dist/main.js');

interface Options {
  events: number;
}

const FULL: Options = { events: 1_000_000 };
const QUICK: Options = { events: 200_000 };

interface ReplayFigure {
  mode: ReplayMode;
  workers: number;
  concurrencyPerWorker: number;
  events: number;
  /** from the run's start (its first job) to its completion, as Postgres recorded them */
  seconds: number;
  eventsPerSecond: number;
  /** ÷ ConsumerPerformance's fetch rate on the same topic (DESIGN.md's bar: ≥ 0.5) */
  toConsumerPerformance: number;
  /** from the launch call to completion: queueing and worker pick-up included */
  secondsFromLaunch: number;
}

const round = (value: number, digits = 0): number => Number(value.toFixed(digits));
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

class ReplayBench {
  readonly suffix = randomUUID().slice(0, 8);
  readonly prefix = `bench_${this.suffix}_`;
  readonly dir = mkdtempSync(join(tmpdir(), 'lk-bench-replay-'));
  readonly topic = `lk-bench-replay-${this.suffix}`;
  readonly stack = loadStackConfig();
  readonly logger = new Logger('bench', {}, 'error');
  readonly kafka = new KafkaClient({
    brokers: this.stack.kafkaBrokers,
    clientId: 'lk-bench',
    logger: this.logger,
  });
  readonly database = new Database(this.stack.databaseUrl, { max: 2, applicationName: 'lk-bench-replay' });
  readonly pipelinesFile = join(this.dir, 'pipelines.yaml');
  readonly workers = new Set<ChildProcess>();
  readonly runs: ReplayRun[] = [];
  readonly groups: string[] = [];
  pipelines: Pipeline[] = [];
  launcher!: ReplayLauncher;

  setUp(): void {
    const text = readFileSync(join(root, 'pipelines.yaml'), 'utf8')
      .replaceAll('source: user-events', `source: ${this.topic}`)
      .replace(/^- name: (\w+)/gm, `- name: ${this.prefix}$1`);
    writeFileSync(this.pipelinesFile, text);
    this.pipelines = parsePipelines(text);
    this.launcher = new ReplayLauncher({
      kafka: this.kafka,
      database: this.database,
      redisUrl: this.stack.redisUrl,
      pipelines: this.pipelines,
      logger: this.logger,
    });
  }

  /** `count` worker processes; resolves once each took up the queue. */
  async startWorkers(count: number, nodeArgs: string[] = []): Promise<ChildProcess[]> {
    const started = Array.from({ length: count }, () => {
      const child = spawn(process.execPath, [...nodeArgs, BATCH_MAIN], {
        env: {
          ...process.env,
          PIPELINES_FILE: this.pipelinesFile,
          BATCH_PORT: '0',
          BATCH_CONCURRENCY: '2',
          LOG_LEVEL: 'info',
        },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      this.workers.add(child);
      child.on('exit', () => this.workers.delete(child));
      return child;
    });
    await Promise.all(
      started.map(
        (child) =>
          new Promise<void>((resolve, reject) => {
            let text = '';
            child.stderr!.on('data', (chunk: Buffer) => {
              text += chunk.toString();
              if (text.includes('"replay worker started"')) resolve();
            });
            child.on('exit', (code) =>
              reject(new Error(`a batch worker exited ${code}: ${text.slice(-1500)}`)),
            );
          }),
      ),
    );
    return started;
  }

  async stopWorkers(): Promise<void> {
    await Promise.all(
      [...this.workers].map(
        (child) =>
          new Promise<void>((resolve) => {
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
          }),
      ),
    );
  }

  async replay(mode: ReplayMode, workers: number, total: number): Promise<ReplayFigure> {
    const launched = performance.now();
    const run = await this.launcher.start({ mode, pipeline: this.pipelines[0]!.name });
    this.runs.push(run);
    this.groups.push(run.groupId);
    const finished = await this.launcher.waitFor(run.id, { pollMs: 100 });
    const secondsFromLaunch = (performance.now() - launched) / 1000;
    if (finished.status !== 'completed')
      throw new Error(`replay ${run.id} ended ${finished.status}: ${finished.error}`);
    const seconds = (+finished.finishedAt! - +finished.startedAt!) / 1000;
    return {
      mode,
      workers,
      concurrencyPerWorker: 2,
      events: total,
      seconds: round(seconds, 2),
      eventsPerSecond: round(total / seconds),
      toConsumerPerformance: 0,
      secondsFromLaunch: round(secondsFromLaunch, 2),
    };
  }

  async cleanUp(): Promise<void> {
    for (const child of this.workers) child.kill('SIGKILL');
    const store = new StreamJobStore(this.database);
    for (const run of this.runs) await store.deleteJobs(run.jobId);
    await this.database.query('delete from replay_runs where pipeline like $1', [`${this.prefix}%`]);
    const queue = new Queue(REPLAY_QUEUE, { connection: redisConnection(this.stack.redisUrl) });
    for (const run of this.runs) await queue.remove(`run-${run.id}`, { removeChildren: true }).catch(() => 0);
    await queue.close();
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      await admin.deleteGroups(this.groups).catch(() => undefined);
      const versions = this.runs.filter((run) => run.version !== null);
      await admin.deleteTopics([
        this.topic,
        `${this.topic}.late`,
        ...versions.map((run) => `lk.window-results.${run.pipeline}.v${run.version}`),
      ]);
    } finally {
      await admin.disconnect();
    }
    await this.launcher.close();
    await this.database.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export async function runReplayBench(options: Options = FULL): Promise<string> {
  const date = new Date().toISOString();
  const bench = new ReplayBench();
  const results: Record<string, unknown> = { benchmark: 'replay', date, machine: machineInfo(), options };
  const log = (line: string): void => void process.stderr.write(`[replay bench] ${line}\n`);
  try {
    bench.setUp();
    log(`pre-filling ${bench.topic} with ${options.events} events`);
    await prefill(bench.topic, options.events);
    const total = await endOffsetTotal(bench.kafka, bench.topic);
    log('ConsumerPerformance');
    const cpGroup = `lk-bench-replay-${bench.suffix}-cp`;
    bench.groups.push(cpGroup);
    const cp = await consumerPerformance(bench.stack.kafkaBrokers, bench.topic, cpGroup, total);
    const figures: ReplayFigure[] = [];
    let profile: ProfileSummary | { missing: string } = { missing: 'no .cpuprofile written' };
    for (const [mode, workers] of [
      ['batch', 1],
      ['batch', 2],
      ['kappa', 2],
    ] as const) {
      log(`${mode} run, ${workers} worker(s)`);
      const profileDir = join(bench.dir, `profile-${mode}-${workers}`);
      const profiled = mode === 'batch' && workers === 1;
      await bench.startWorkers(workers, profiled ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []);
      figures.push(await bench.replay(mode, workers, total));
      await bench.stopWorkers();
      if (profiled) {
        const file = readdirSync(profileDir).find((name) => name.endsWith('.cpuprofile'));
        if (file) profile = summarizeProfile(join(profileDir, file));
      }
      await sleep(1_000);
    }
    for (const figure of figures)
      figure.toConsumerPerformance = round(figure.eventsPerSecond / cp.fetchRecordsPerSecond, 3);
    Object.assign(results, { events: total, consumerPerformance: cp, replays: figures, profile });
  } finally {
    await bench.cleanUp().catch((error: unknown) => log(`clean-up failed: ${(error as Error).message}`));
  }
  const file = writeResults('replay', date, results);
  process.stdout.write(`${JSON.stringify({ ...results, machine: undefined }, null, 2)}\nresults: ${file}\n`);
  return file;
}

async function main(args: string[]): Promise<void> {
  await runReplayBench(args.includes('--quick') ? QUICK : FULL);
}

if (require.main === module) void runCli(main, { name: 'bench-replay', forceExit: true });
