import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Redis } from 'ioredis';
import { loadStackConfig } from '@lk/common';
import { KafkaClient } from '@lk/kafka';
import { parsePipelines, type Pipeline } from '@lk/operators';
import { Database, StreamJobStore } from '@lk/store';
import { speedJobId } from '@lk/streaming';
import { GroundTruth, type ExpectedResults, type ResultRow } from './ground-truth';
import { ServiceProcess } from './service-process';

const root = resolve(__dirname, '..', '..', '..');

export type { ResultRow } from './ground-truth';

/** One line of the generator's `--jsonl` output: the event as produced, where Kafka stored it, its version. */
export type GeneratedRecord = {
  event_id: string;
  user_id: string;
  event_type: string;
  amount: number;
  ts: number;
  /** UserEvent v2 only (possibly null); a v1 line has none */
  country?: string | null;
  partition: number;
  offset: number;
  timestamp: number;
  schema_version: 1 | 2;
  /** on an event the generator pushed back beyond the disorder (a late event or a duplicate of one) */
  late?: true;
};

/**
 * One speed-layer scenario on the real stack: its own topic, the repository's pipelines renamed to read it,
 * the generator's JSONL as the independent record of what was produced, and the speed processes it started
 * (all killed in `cleanup`, with the topics and the Postgres rows).
 */
export class SpeedScenario {
  readonly suffix = randomUUID().slice(0, 8);
  readonly topic: string;
  readonly dir = mkdtempSync(join(tmpdir(), 'lk-speed-'));
  readonly pipelinesFile = join(this.dir, 'pipelines.yaml');
  readonly kafka: KafkaClient;
  readonly database: Database;
  readonly store: StreamJobStore;
  private readonly groundTruth: GroundTruth;
  readonly processes: ServiceProcess[] = [];
  readonly pipelines: Pipeline[];
  private readonly jsonlFiles: string[] = [];

  /**
   * @param stackEnv settings of the stack to run against (KAFKA_BROKERS, SCHEMA_REGISTRY_URL, ...), for the
   * Kafka client here and every process started; default: the environment's
   * @param options.extraPipelines more pipelines (YAML list items written as in pipelines.yaml: `source:
   * user-events`, plain names) after the repository's, renamed like them: run, checked and cleaned up alike
   */
  constructor(
    readonly name: string,
    private readonly stackEnv: Record<string, string> = {},
    private readonly options: {
      extraPipelines?: string;
      /**
       * Pipelines instead of the repository's (YAML as in pipelines.yaml), renamed like them; `source:
       * SOURCE` reads the scenario's topic and `source: SOURCE.<x>` a topic of its own beside it.
       */
      pipelines?: string;
    } = {},
  ) {
    const stack = loadStackConfig({ ...process.env, ...stackEnv });
    this.topic = `lk-${name}-${this.suffix}`;
    this.kafka = new KafkaClient({ brokers: stack.kafkaBrokers, clientId: `lk-${name}` });
    this.database = new Database(stack.databaseUrl);
    this.store = new StreamJobStore(this.database);
    this.groundTruth = new GroundTruth(this.database);
    this.writePipelines(this.pipelinesFile);
    this.pipelines = parsePipelines(readFileSync(this.pipelinesFile, 'utf8'));
  }

  get jobPrefix(): string {
    return `speed:${this.pipelinePrefix}`;
  }

  /** What this scenario's pipeline names start with. */
  get pipelinePrefix(): string {
    return `${this.name.replaceAll('-', '_')}_${this.suffix}_`;
  }

  /** Batch runs started by a test: their rows go in cleanup. */
  readonly runIds: string[] = [];

  /**
   * The replay queue's key prefix of this scenario's workers and CLI: no other worker sharing Redis (a demo's,
   * another suite's) takes its jobs, and none of its leftovers reach anyone else.
   */
  readonly queuePrefix = `lk-e2e-${this.suffix}`;

  /**
   * The repository's pipelines (tumbling, sliding, session) and the scenario's extra ones, renamed and reading
   * this scenario's topic.
   */
  writePipelines(file: string, change: (text: string) => string = (text) => text): void {
    const extra = this.options.extraPipelines;
    const own = this.options.pipelines;
    const text = (own ?? userEventPipelines() + (extra ? `\n${extra}` : ''))
      .replaceAll('source: user-events', `source: ${this.topic}`)
      .replace(/source: SOURCE\b/g, `source: ${this.topic}`)
      .replace(/^- name: (\w+)/gm, `- name: ${this.name.replaceAll('-', '_')}_${this.suffix}_$1`);
    writeFileSync(file, change(text));
  }

  async createTopics(): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    await admin.ensureTopics([
      { name: this.topic, partitions: 12 },
      { name: `${this.topic}.dlq`, partitions: 1 },
    ]);
    await admin.disconnect();
  }

  startSpeed(version: number, env: Record<string, string> = {}): ServiceProcess {
    return this.startService('speed', {
      SPEED_VERSION: String(version),
      SPEED_SESSION_TIMEOUT_MS: '6000',
      ...env,
    });
  }

  /**
   * services/<name> as its own process with this scenario's stack, pipelines file and replay queue (`env`
   * on top); killed in cleanup.
   */
  private startService(name: string, env: Record<string, string>): ServiceProcess {
    const service = new ServiceProcess(name, {
      REPLAY_QUEUE_PREFIX: this.queuePrefix,
      ...this.stackEnv,
      PIPELINES_FILE: this.pipelinesFile,
      LOG_LEVEL: 'info',
      ...env,
    });
    this.processes.push(service);
    return service;
  }

  /** A batch worker process (BullMQ), as `node services/batch/dist/main.js` runs it. */
  startBatch(env: Record<string, string> = {}): ServiceProcess {
    return this.startService('batch', { BATCH_FLUSH_INTERVAL_MS: '300', ...env });
  }

  /**
   * The replay CLI (`services/batch/dist/cli/replay.js`) with these arguments and this scenario's pipelines
   * file; resolves with its exit code and output. A started run's id (stdout's first line) is remembered.
   */
  replayCli(
    args: string[],
    timeoutMs = 240_000,
  ): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return runNode(
      join(root, 'services/batch/dist/cli/replay.js'),
      [...args, '--pipelines-file', this.pipelinesFile],
      { ...process.env, REPLAY_QUEUE_PREFIX: this.queuePrefix, ...this.stackEnv },
      timeoutMs,
      // the run id is stdout's first line, remembered as it arrives: tests poll for it while the run goes on
      (stdout, first) => {
        if (first && args.includes('--mode')) this.runIds.push(stdout.split('\n')[0]!.trim());
      },
    );
  }

  /** The merge service process (comparisons after replays and on a schedule). */
  startMerge(env: Record<string, string> = {}): ServiceProcess {
    return this.startService('merge', env);
  }

  /** The admin service process (HTTP API) with this scenario's pipelines and replay queue. */
  startAdmin(env: Record<string, string> = {}): ServiceProcess {
    return this.startService('admin', env);
  }

  /** The compare CLI (`services/merge/dist/cli/compare.js`); resolves with its exit code and output. */
  compareCli(
    args: string[],
    timeoutMs = 120_000,
  ): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return runNode(
      join(root, 'services/merge/dist/cli/compare.js'),
      args,
      { ...process.env, ...this.stackEnv },
      timeoutMs,
    );
  }

  /**
   * The demo's self-check (`e2e/dist/cli/demo-check.js`) over this scenario's pipelines and everything the
   * generator wrote; resolves with its exit code and output.
   */
  demoCheck(
    mode: 'stream' | 'batch',
    pipeline?: Pipeline,
    timeoutMs = 120_000,
  ): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return runNode(
      join(root, 'e2e/dist/cli/demo-check.js'),
      [
        ...['--mode', mode, '--events', this.allEventsFile(), '--pipelines', this.pipelinesFile],
        ...['--source', this.topic],
        ...(pipeline ? ['--pipeline', pipeline.name] : []),
      ],
      { ...process.env, ...this.stackEnv },
      timeoutMs,
    );
  }

  /**
   * Every line the generator wrote (or those `accept` takes), in one JSONL file of the scenario's directory,
   * as lk-window reads it.
   */
  allEventsFile(
    accept?: (record: { partition: number; offset: number; timestamp: number }) => boolean,
  ): string {
    const input = join(this.dir, 'all-events.jsonl');
    let lines = this.jsonlFiles.flatMap((file) => readFileSync(file, 'utf8').split('\n').filter(Boolean));
    if (accept) lines = lines.filter((line) => accept(JSON.parse(line) as Parameters<typeof accept>[0]));
    writeFileSync(input, lines.map((line) => `${line}\n`).join(''));
    return input;
  }

  /** Adds a JSONL file of produced records (written by a test's own producer) to what lk-window reads. */
  addEvents(lines: readonly object[]): void {
    const jsonl = join(this.dir, `events-${this.jsonlFiles.length}.jsonl`);
    this.jsonlFiles.push(jsonl);
    writeFileSync(jsonl, lines.map((line) => `${JSON.stringify(line)}\n`).join(''));
  }

  /** The partition of every key, from the generator's JSONL (keys are hashed to partitions by the producer). */
  keyPartitions(): Map<string, number> {
    const partitions = new Map<string, number>();
    for (const file of this.jsonlFiles)
      for (const line of readFileSync(file, 'utf8').split('\n').filter(Boolean)) {
        const record = JSON.parse(line) as { user_id: string; partition: number };
        partitions.set(record.user_id, record.partition);
      }
    return partitions;
  }

  jobId(pipeline: Pipeline, version: number): string {
    return speedJobId(pipeline.name, version);
  }

  /**
   * Produces `count` events with the generator at `rate`/s; resolves with its exit code. `v1Fraction`: the
   * share of events written with UserEvent v1 (no country), the generator's default when left out.
   */
  generate(
    count: number,
    rate: number,
    options: {
      seed: number;
      start: string;
      keys?: number;
      v1Fraction?: number;
      /** event time per wall second (default 1h); at rate 0, per `nominalRate` events */
      eventTimePerSecond?: string;
      nominalRate?: number;
    },
  ): Promise<number | null> {
    const jsonl = join(this.dir, `events-${this.jsonlFiles.length}.jsonl`);
    this.jsonlFiles.push(jsonl);
    const child = spawn(
      process.execPath,
      [
        join(root, 'services/generator/dist/cli/generate.js'),
        ...[
          '--count',
          String(count),
          '--rate',
          String(rate),
          '--keys',
          String(options.keys ?? 2000),
          '--seed',
          String(options.seed),
        ],
        ...['--disorder', '10s', '--late-fraction', '0.01', '--lateness', '1m..20m', '--duplicates', '0.005'],
        ...['--event-time-per-second', options.eventTimePerSecond ?? '1h'],
        ...(options.nominalRate === undefined ? [] : ['--nominal-rate', String(options.nominalRate)]),
        ...['--start', options.start, '--topic', this.topic],
        ...(options.v1Fraction === undefined ? [] : ['--v1-fraction', String(options.v1Fraction)]),
        ...['--jsonl', jsonl, '--no-progress'],
      ],
      { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...this.stackEnv } },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    return new Promise((done) =>
      child.on('exit', (code) => {
        if (code !== 0) process.stderr.write(stderr);
        done(code);
      }),
    );
  }

  /** The generator's JSONL lines: of the `index`-th generator run, or of every run so far in order. */
  generated(index?: number): GeneratedRecord[] {
    const files = index === undefined ? this.jsonlFiles : [this.jsonlFiles[index]!];
    return files.flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as GeneratedRecord),
    );
  }

  /** The record timestamps (ms) of the events of the `index`-th generator run, from its JSONL. */
  recordTimestamps(index: number): number[] {
    return readFileSync(this.jsonlFiles[index]!, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => (JSON.parse(line) as { timestamp: number }).timestamp);
  }

  /** Records in the scenario's topic (or `topic`, e.g. its DLQ) over all partitions: the sum of end offsets. */
  async endOffsetTotal(topic = this.topic): Promise<number> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      return [...(await admin.endOffsets(topic)).values()].reduce((sum, offset) => sum + Number(offset), 0);
    } finally {
      await admin.disconnect();
    }
  }

  /** Every topic the scenario's pipelines read. */
  get sources(): string[] {
    return [...new Set(this.pipelines.map((p) => p.source))];
  }

  /** Until every pipeline's stored next offsets cover the whole log of its source. */
  async caughtUp(version: number, timeoutMs = 180_000): Promise<void> {
    const totals = new Map<string, number>();
    for (const source of this.sources) totals.set(source, await this.endOffsetTotal(source));
    const totalOf = new Map(this.pipelines.map((p) => [this.jobId(p, version), totals.get(p.source)!]));
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      // Postgres may be restarting under a fault test: a failed read is a "not yet"
      const consumed = await this.store
        .consumed(this.pipelines.map((p) => this.jobId(p, version)))
        .catch(() => new Map<string, number>());
      const rows = [...consumed].map(([job, records]) => ({ job, records, total: totalOf.get(job) }));
      if (rows.length === this.pipelines.length && rows.every((row) => row.records === row.total)) return;
      if (Date.now() > deadline) throw new Error(`v${version} not caught up: ${JSON.stringify(rows)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  storedResults(pipeline: Pipeline, version: number): Promise<ResultRow[]> {
    return this.storedResultsOf(this.jobId(pipeline, version));
  }

  /** A job's window_results rows (a speed version, a Kappa replay, a batch run), ordered as lk-window's. */
  storedResultsOf(jobId: string): Promise<ResultRow[]> {
    return this.groundTruth.storedResultsOf(jobId);
  }

  /** `partition@offset:start-end` of every late (event, window), sorted. */
  storedLate(pipeline: Pipeline, version: number): Promise<string[]> {
    return this.storedLateOf(this.jobId(pipeline, version));
  }

  storedLateOf(jobId: string): Promise<string[]> {
    return this.groundTruth.storedLateOf(jobId);
  }

  /** What the operator library computes over the generator's JSONL, independently of Kafka and Postgres. */
  expectedByLkWindow(
    pipeline: Pipeline,
    options: {
      mode?: 'stream' | 'batch';
      pipelinesFile?: string;
      /** only the records it accepts (the generator's JSONL line: partition, offset, record timestamp) */
      records?: (record: { partition: number; offset: number; timestamp: number }) => boolean;
    } = {},
  ): ExpectedResults {
    // lines a test's producer wrote name their topic: each pipeline reads only its source's
    const accept = options.records;
    const ofSource = (record: { partition: number; offset: number; timestamp: number; topic?: string }) =>
      (record.topic === undefined || record.topic === pipeline.source) && (accept?.(record) ?? true);
    return GroundTruth.expected(
      options.pipelinesFile ?? this.pipelinesFile,
      pipeline.name,
      options.mode ?? 'stream',
      this.allEventsFile(ofSource),
    );
  }

  /** Rows that differ: keys, bounds, revision and finality exactly; values by the library's equality policy. */
  differingRows(pipeline: Pipeline, actual: ResultRow[], expected: ResultRow[]): string[] {
    return GroundTruth.differingRows(pipeline, actual, expected);
  }

  /**
   * Kills the scenario's processes and deletes what it left in Kafka, Redis and PostgreSQL. A step that hangs
   * (a lock, an unanswered request) must not hold the suite up until its hook times out with nothing said:
   * after `timeoutMs` the cleanup stops waiting, reports on stderr the step it was in and what PostgreSQL's
   * busy backends were doing, and leaves the rest behind.
   */
  async cleanup(timeoutMs = 180_000): Promise<void> {
    const progress = { step: 'starting', since: Date.now() };
    let timer: NodeJS.Timeout | undefined;
    const gaveUp = new Promise<true>((done) => (timer = setTimeout(() => done(true), timeoutMs)));
    const stuck = await Promise.race([this.removeEverything(progress).then(() => false), gaveUp]);
    clearTimeout(timer);
    if (stuck) await this.reportStuckCleanup(progress, timeoutMs);
  }

  private async reportStuckCleanup(
    progress: { step: string; since: number },
    timeoutMs: number,
  ): Promise<void> {
    const database = new Database(loadStackConfig({ ...process.env, ...this.stackEnv }).databaseUrl);
    const busy = await Promise.race([
      database.query(
        `select pid, state, wait_event_type, wait_event, now() - xact_start as transaction_age,
                left(query, 300) as query
         from pg_stat_activity where datname = current_database() and state <> 'idle' and pid <> pg_backend_pid()`,
      ),
      new Promise((done) => setTimeout(() => done('no answer from PostgreSQL within 10 s'), 10_000)),
    ]).catch((error: unknown) => String(error));
    void database.close().catch(() => undefined);
    console.error(
      JSON.stringify({
        event: 'scenario cleanup stuck, left behind',
        scenario: this.name,
        timeoutMs,
        step: progress.step,
        stepRunningMs: Date.now() - progress.since,
        busyBackends: busy,
      }),
    );
  }

  private async removeEverything(progress: { step: string; since: number }): Promise<void> {
    const step = (name: string): void => {
      progress.step = name;
      progress.since = Date.now();
    };
    step('killing processes');
    await Promise.all(this.processes.map((p) => p.kill()));
    step('deleting topics and consumer groups');
    const admin = this.kafka.admin();
    await admin.connect();
    const resultTopics = this.pipelines.flatMap((p) =>
      [1, 2, 3, 4].map((v) => `lk.window-results.${p.name}.v${v}`),
    );
    await admin
      .deleteTopics([
        ...new Set([this.topic, ...this.sources].flatMap((t) => [t, `${t}.dlq`, `${t}.late`])),
        ...resultTopics,
      ])
      .catch(() => undefined);
    await admin
      .deleteGroups([
        ...this.runIds.map((id) => `lk-batch-${id}`),
        ...this.pipelines.flatMap((p) => [1, 2, 3, 4].map((v) => `lk-speed-${p.name}-v${v}`)),
      ])
      .catch(() => undefined);
    await admin.disconnect();
    step('deleting replay queue keys in Redis');
    const redis = new Redis(loadStackConfig({ ...process.env, ...this.stackEnv }).redisUrl);
    const prefix = this.stackEnv.REPLAY_QUEUE_PREFIX ?? this.queuePrefix;
    for (let cursor = '0'; ;) {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      if (keys.length > 0) await redis.del(...keys);
      if ((cursor = next) === '0') break;
    }
    redis.disconnect();
    step("deleting the speed jobs' rows");
    await this.store.deleteJobs(this.jobPrefix);
    step('deleting batch runs, comparisons and serving versions');
    // batch runs started through the CLI, the API or the dashboard alike
    const runs = await this.database.query<{ id: string }>(
      'select id from replay_runs where pipeline like $1',
      [`${this.pipelinePrefix}%`],
    );
    for (const runId of new Set([...this.runIds, ...runs.map((run) => run.id)]))
      await this.store.deleteJobs(`batch:${runId}`);
    await this.database.query('delete from replay_runs where pipeline like $1', [`${this.pipelinePrefix}%`]);
    await this.database.query('delete from comparisons where pipeline like $1', [`${this.pipelinePrefix}%`]);
    await this.database.query('delete from serving_versions where pipeline like $1', [
      `${this.pipelinePrefix}%`,
    ]);
    await this.database.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * The repository's pipelines that read user-events (the generator's topic), as written in pipelines.yaml:
 * those over other teams' topics (shop.orders, web.clicks) have scenarios of their own.
 */
function userEventPipelines(): string {
  const entries = readFileSync(join(root, 'pipelines.yaml'), 'utf8').split(/^(?=- name: )/m);
  return entries
    .filter((entry) => /^- name: /.test(entry) && /^\s+source: user-events$/m.test(entry))
    .join('');
}

/** Runs a node script of ours; resolves with its exit code and output (killed after timeoutMs). */
function runNode(
  script: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
  /** after each chunk of stdout: all of it so far, and whether this was the first chunk */
  onStdout?: (stdout: string, first: boolean) => void,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [script, ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    const first = stdout === '';
    stdout += chunk.toString();
    onStdout?.(stdout, first);
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((done) =>
    child.on('exit', (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    }),
  );
}
