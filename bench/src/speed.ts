// The speed service end to end against the real stack: saturation throughput against Kafka's own consumer and
// a bare consume + decode loop on the same topic, produce → visible-in-Postgres latency at 10 k events/s per
// flush interval, flush and restore cost against the number of open windows (StreamJobStore directly), RSS
// per million open windows, and where the time goes (a CPU profile of the service at saturation).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadStackConfig, Logger, runCli, type StackConfig } from '@lk/common';
import { KafkaClient } from '@lk/kafka';
import { KeyedWindowOperator, parsePipelines, type Pipeline } from '@lk/operators';
import { SchemaRegistryClient, type UserEvent } from '@lk/schemas';
import { Database, StreamJobStore, type WindowRow } from '@lk/store';
import { buildFlush, restoredSnapshot, speedJobId } from '@lk/streaming';
import { summarizeProfile } from './profile';
import { machineInfo, median, writeResults } from './results';
import { consumeDecodeLoop, type RateResult } from './consume-loops';
import { consumerPerformance, endOffsetTotal, GENERATE, prefill, root, runChild } from './stack';

const SPEED_MAIN = join(root, 'services/speed/dist/main.js');

interface Options {
  events: number;
  latencySeconds: number;
  flushIntervals: number[];
  flushSizes: number[];
  storeKeys: number[];
}

const FULL: Options = {
  events: 1_000_000,
  latencySeconds: 20,
  flushIntervals: [1, 5, 50],
  flushSizes: [20_000, 200_000, 1_000_000],
  storeKeys: [10_000, 100_000, 1_000_000],
};
const QUICK: Options = {
  events: 200_000,
  latencySeconds: 8,
  flushIntervals: [5],
  flushSizes: [20_000],
  storeKeys: [10_000, 100_000],
};

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const round = (value: number, digits = 0): number => Number(value.toFixed(digits));

/** Everything this run creates is named after one suffix, so it can all be removed afterwards. */
class Run {
  readonly suffix = randomUUID().slice(0, 8);
  readonly prefix = `bench_${this.suffix}`;
  readonly dir = mkdtempSync(join(tmpdir(), 'lk-bench-speed-'));
  readonly stack: StackConfig = loadStackConfig();
  readonly logger = new Logger('bench', {}, 'error');
  readonly kafka = new KafkaClient({
    brokers: this.stack.kafkaBrokers,
    clientId: 'lk-bench',
    logger: this.logger,
  });
  readonly database = new Database(this.stack.databaseUrl, { max: 4, applicationName: 'lk-bench-speed' });
  readonly registry = new SchemaRegistryClient(this.stack.schemaRegistryUrl);
  readonly topics: string[] = [];
  readonly groups: string[] = [];
  readonly children = new Set<ChildProcess>();
  /** (pipeline, version) the service ran: their groups and results topics go at the end */
  readonly started = new Set<[string, number]>();

  group(name: string): string {
    const group = `lk-bench-speed-${this.suffix}-${name}`;
    this.groups.push(group);
    return group;
  }

  topic(name: string): string {
    const topic = `lk-bench-speed-${this.suffix}-${name}`;
    this.topics.push(topic);
    return topic;
  }

  /** The repository's pipelines renamed `bench_<suffix>_<tag>_<name>`, reading `topic`. */
  pipelines(topic: string, tag: string): { file: string; pipelines: Pipeline[] } {
    const text = readFileSync(join(root, 'pipelines.yaml'), 'utf8')
      .replaceAll('source: user-events', `source: ${topic}`)
      .replace(/^- name: (\w+)/gm, `- name: ${this.prefix}_${tag}_$1`);
    const file = join(this.dir, `${tag}.pipelines.yaml`);
    writeFileSync(file, text);
    return { file, pipelines: parsePipelines(text) };
  }

  async cleanUp(): Promise<void> {
    for (const child of this.children) child.kill('SIGKILL');
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.cleanUpOnce();
      } catch (error) {
        if (attempt >= 5) throw error;
        await sleep(5_000);
      }
    }
  }

  private async cleanUpOnce(): Promise<void> {
    await new StreamJobStore(this.database).deleteJobs(`speed:${this.prefix}_`);
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const started = [...this.started];
      await admin
        .deleteGroups([...this.groups, ...started.map(([name, version]) => `lk-speed-${name}-v${version}`)])
        .catch(() => undefined);
      const ours = [
        ...this.topics.flatMap((topic) => [topic, `${topic}.late`]),
        ...started.map(([name, version]) => `lk.window-results.${name}.v${version}`),
      ];
      if (ours.length > 0) await admin.deleteTopics(ours);
    } finally {
      await admin.disconnect();
    }
    for (const topic of this.topics)
      await this.registry.deleteSubject(`${topic}-value`).catch(() => undefined);
    await this.database.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

interface SpeedProcess {
  child: ChildProcess;
  stderr: () => string;
  exited: Promise<number | null>;
}

function startSpeed(
  run: Run,
  file: string,
  pipelines: Pipeline[],
  version: number,
  env: Record<string, string>,
  nodeArgs: string[] = [],
): SpeedProcess {
  const child = spawn(process.execPath, [...nodeArgs, SPEED_MAIN], {
    env: {
      ...process.env,
      PIPELINES_FILE: file,
      SPEED_PIPELINES: pipelines.map((p) => p.name).join(','),
      SPEED_VERSION: String(version),
      SPEED_PORT: '0',
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  run.children.add(child);
  for (const pipeline of pipelines) run.started.add([pipeline.name, version]);
  let stderr = '';
  // LK_BENCH_SERVICE_LOG=<file>: the service's log lines are appended there too (with LOG_LEVEL=debug, a line
  // per flush with its duration)
  const logFile = process.env.LK_BENCH_SERVICE_LOG;
  child.stderr!.on('data', (chunk: Buffer) => {
    if (logFile) appendFileSync(logFile, chunk);
    stderr += chunk.toString();
    if (stderr.length > 4_000_000) stderr = stderr.slice(-1_000_000);
  });
  const exited = new Promise<number | null>((done) =>
    child.on('exit', (code) => {
      run.children.delete(child);
      done(code);
    }),
  );
  return { child, stderr: () => stderr, exited };
}

async function stopSpeed(speed: SpeedProcess): Promise<void> {
  speed.child.kill('SIGTERM');
  const code = await Promise.race([speed.exited, sleep(30_000).then(() => 'timeout' as const)]);
  if (code === 'timeout') {
    speed.child.kill('SIGKILL');
    throw new Error('the speed service did not exit within 30 s of SIGTERM');
  }
  if (code !== 0) throw new Error(`the speed service exited ${code}: ${speed.stderr().slice(-2000)}`);
}

const jobIdOf = (pipeline: Pipeline, version: number): string => speedJobId(pipeline.name, version);

/** Sum of next_offset over the partitions of each job (0 for a job without rows yet). */
async function consumed(run: Run, jobIds: string[]): Promise<number[]> {
  const byJob = await new StreamJobStore(run.database).consumed(jobIds);
  return jobIds.map((id) => byJob.get(id)!);
}

/**
 * Starts the service on the pre-filled topic and polls partition_state every 100 ms until every job's
 * next offsets add up to the end offsets: events/s from spawn, and "steady" from the first progress seen.
 */
/** A stage the shared stack disturbed (a broker or Postgres restart by another suite) runs again, twice at most. */
async function saturate(
  run: Run,
  file: string,
  pipelines: Pipeline[],
  version: () => number,
  total: number,
  env: Record<string, string> = {},
  nodeArgs: string[] = [],
): Promise<RateResult & { pipelines: number; attempts: number }> {
  for (let attempt = 1; ; attempt++) {
    try {
      return {
        ...(await saturateOnce(run, file, pipelines, version(), total, env, nodeArgs)),
        attempts: attempt,
      };
    } catch (error) {
      if (attempt >= 3) throw error;
      process.stderr.write(
        `[speed bench] attempt ${attempt} failed, again: ${(error as Error).message.slice(0, 300)}\n`,
      );
      await sleep(10_000);
    }
  }
}

async function saturateOnce(
  run: Run,
  file: string,
  pipelines: Pipeline[],
  version: number,
  total: number,
  env: Record<string, string> = {},
  nodeArgs: string[] = [],
): Promise<RateResult & { pipelines: number }> {
  const jobIds = pipelines.map((p) => jobIdOf(p, version));
  const started = performance.now();
  const speed = startSpeed(run, file, pipelines, version, env, nodeArgs);
  let first = 0;
  let firstCount = 0;
  let last: number;
  try {
    for (;;) {
      const exited = await Promise.race([speed.exited.then(() => true), sleep(100).then(() => false)]);
      if (exited) throw new Error(`the speed service exited early: ${speed.stderr().slice(-2000)}`);
      // the shared stack may restart Postgres under us (other suites' fault tests): poll again
      const counts = await consumed(run, jobIds).catch(() => undefined);
      if (counts === undefined) continue;
      const sum = counts.reduce((a, b) => a + b, 0);
      if (sum > 0 && first === 0) {
        first = performance.now();
        firstCount = sum;
      }
      if (counts.every((count) => count >= total)) {
        last = performance.now();
        break;
      }
      if (performance.now() - started > 600_000)
        throw new Error(`not caught up after 600 s: ${counts.join(',')}`);
    }
  } finally {
    await stopSpeed(speed);
  }
  const events = total * pipelines.length;
  return {
    pipelines: pipelines.length,
    events,
    totalSeconds: round((last - started) / 1000, 2),
    eventsPerSecond: round(events / ((last - started) / 1000)),
    steadyEventsPerSecond: round((events - firstCount) / ((last - first) / 1000)),
  };
}

interface LatencyResult {
  flushIntervalMs: number;
  events: number;
  measured: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  pollIntervalMs: number;
}

/**
 * Produce → visible at 10 k events/s. The generator CLI produces at --rate 10000 (batches of 100) and writes
 * each record's partition, offset and record timestamp (Date.now() when its send began) to a JSONL file;
 * meanwhile this process reads the job's partition_state every 5 ms and notes, per partition, when next_offset
 * first covered each offset — next_offset commits in the same transaction as that event's window rows, so
 * that is when the event's result became visible. The time noted is when the poll that saw it was sent (the
 * commit happened before), so a latency is an upper bound, too high by at most one poll interval; the first
 * 2 s of the run (JIT warm-up, first claims) are left out.
 */
async function latency(
  run: Run,
  flushIntervalMs: number,
  seconds: number,
  env: Record<string, string> = {},
): Promise<LatencyResult> {
  const topic = run.topic(`lat${flushIntervalMs}-${run.topics.length}`);
  const admin = run.kafka.admin();
  await admin.connect();
  await admin.ensureTopics([{ name: topic, partitions: 12 }]);
  await admin.disconnect();
  const { file, pipelines } = run.pipelines(topic, `lat${run.topics.length}`);
  const pipeline = [pipelines[0]!];
  const jobId = jobIdOf(pipeline[0]!, 1);
  const speed = startSpeed(run, file, pipeline, 1, {
    SPEED_FLUSH_INTERVAL_MS: String(flushIntervalMs),
    ...env,
  });
  const pollIntervalMs = 5;
  const seen = new Map<number, { at: number; nextOffset: number }[]>();
  let polling = true;
  try {
    // produce only once the group has assigned the partitions
    const deadline = Date.now() + 60_000;
    while (!speed.stderr().includes('"event":"job started"')) {
      if (Date.now() > deadline)
        throw new Error(`the speed service did not start: ${speed.stderr().slice(-2000)}`);
      await sleep(100);
    }
    const poller = (async () => {
      while (polling) {
        const at = Date.now();
        const rows = await run.database
          .query<{ partition: number; next_offset: string }>(
            'select partition, next_offset from partition_state where job_id = $1',
            [jobId],
          )
          .catch(() => []);
        for (const row of rows) {
          const list = seen.get(row.partition) ?? [];
          const nextOffset = Number(row.next_offset);
          if (list.length === 0 || list.at(-1)!.nextOffset < nextOffset) list.push({ at, nextOffset });
          seen.set(row.partition, list);
        }
        await sleep(Math.max(0, pollIntervalMs - (Date.now() - at)));
      }
    })();
    const jsonl = join(run.dir, `lat${flushIntervalMs}.jsonl`);
    const producedFrom = Date.now();
    await runChild(process.execPath, [
      GENERATE,
      ...['--rate', '10000', '--duration', `${seconds}s`, '--keys', '10000', '--seed', '11'],
      ...['--batch-size', '100', '--topic', topic, '--jsonl', jsonl, '--no-progress'],
    ]);
    const lines = readFileSync(jsonl, 'utf8').split('\n').filter(Boolean);
    const records = lines.map(
      (line) => JSON.parse(line) as { partition: number; offset: number; timestamp: number },
    );
    // wait for the last records to become visible
    const ends = new Map<number, number>();
    for (const r of records) ends.set(r.partition, Math.max(ends.get(r.partition) ?? 0, r.offset + 1));
    const until = Date.now() + 30_000;
    while ([...ends].some(([p, end]) => (seen.get(p)?.at(-1)?.nextOffset ?? 0) < end) && Date.now() < until)
      await sleep(50);
    polling = false;
    await poller;
    const latencies: number[] = [];
    for (const record of records) {
      if (record.timestamp < producedFrom + 2_000) continue;
      const visible = seen.get(record.partition)?.find((o) => o.nextOffset > record.offset);
      if (visible === undefined)
        throw new Error(`record ${record.partition}@${record.offset} never became visible`);
      latencies.push(visible.at - record.timestamp);
    }
    latencies.sort((a, b) => a - b);
    const pct = (q: number): number =>
      latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
    return {
      flushIntervalMs,
      events: records.length,
      measured: latencies.length,
      p50Ms: pct(0.5),
      p90Ms: pct(0.9),
      p99Ms: pct(0.99),
      maxMs: latencies.at(-1)!,
      pollIntervalMs,
    };
  } finally {
    polling = false;
    await stopSpeed(speed);
  }
}

interface StoreResult {
  openWindows: number;
  /** rows per flush while filling the partition, and the median ms of those fills */
  fillRowsPerFlush: number;
  fillFlushMs: number;
  /** a flush of 10 k changed windows (a revision more) into a partition holding `openWindows` open ones */
  flush10kMs: number;
  /** claimPartition: the Postgres read of the partition's open rows (and epoch bump) */
  restoreReadMs: number;
  /** operator.restorePartition of those rows */
  restoreApplyMs: number;
}

/** The i-th key's event at `ts` (the store and memory benches: one event per key). */
function keyEvent(i: number, ts: number): UserEvent {
  const types = ['page_view', 'click', 'add_to_cart', 'purchase'];
  return {
    event_id: `e${i}`,
    user_id: `user-${i}`,
    event_type: types[i & 3]!,
    amount: 1 + (i % 97),
    ts,
    country: 'NL',
  };
}

/** One event per key, all in the same minute: `keys` open windows with real accumulators. */
function openWindowRows(pipeline: Pipeline, keys: number, partition: number, revision: number): WindowRow[] {
  const operator = new KeyedWindowOperator<UserEvent>(pipeline, { mode: 'stream', emitAccumulators: true });
  const ts = Date.UTC(2026, 0, 1, 0, 0, 30);
  for (let i = 0; i < keys; i++) {
    const event = keyEvent(i, ts);
    for (let r = 0; r < revision; r++) operator.process(event, partition, i);
  }
  // exactly the rows the job writes: its own flush builder over the operator's output
  return buildFlush(
    {
      jobId: 'bench',
      pipeline: pipeline.name,
      topic: 'bench',
      sessions: false,
      frontiers: false,
    },
    [
      {
        operator,
        progress: { partition, epoch: 0, nextOffset: keys, maxEventTime: null, watermark: null },
      },
    ],
  ).changes as WindowRow[];
}

async function storeCost(run: Run, keys: number, pipeline: Pipeline): Promise<StoreResult> {
  const store = new StreamJobStore(run.database);
  const jobId = `speed:${run.prefix}_store_${keys}:v1`;
  const topic = `lk-bench-speed-${run.suffix}-store`;
  const partition = 0;
  const claimed = await store.claimPartition(jobId, pipeline.name, topic, partition);
  const rows = openWindowRows(pipeline, keys, partition, 1);
  const chunk = 20_000;
  const fills: number[] = [];
  const flushOf = (changes: WindowRow[], nextOffset: number, epoch: number) => ({
    jobId,
    pipeline: pipeline.name,
    topic,
    changes,
    retractions: [],
    late: [],
    frontiers: [],
    partitions: [{ partition, epoch, nextOffset, maxEventTime: null, watermark: null }],
  });
  for (let i = 0; i < rows.length; i += chunk) {
    const started = performance.now();
    await store.flush(flushOf(rows.slice(i, i + chunk), i + chunk, claimed.epoch));
    fills.push(performance.now() - started);
  }
  const changed = openWindowRows(pipeline, Math.min(keys, 10_000), partition, 2);
  const flushStarted = performance.now();
  await store.flush(flushOf(changed, keys + 10_000, claimed.epoch));
  const flush10kMs = performance.now() - flushStarted;
  const readStarted = performance.now();
  const restored = await store.claimPartition(jobId, pipeline.name, topic, partition);
  const restoreReadMs = performance.now() - readStarted;
  if (restored.openWindows.length !== keys)
    throw new Error(`restored ${restored.openWindows.length} of ${keys}`);
  const operator = new KeyedWindowOperator<UserEvent>(pipeline, { mode: 'stream', emitAccumulators: true });
  const applyStarted = performance.now();
  operator.restorePartition(restoredSnapshot(operator.snapshotPartition(partition), restored, false));
  const restoreApplyMs = performance.now() - applyStarted;
  if (operator.stats().openWindows !== keys) throw new Error('restore lost windows');
  await store.deleteJobs(jobId);
  return {
    openWindows: keys,
    fillRowsPerFlush: chunk,
    fillFlushMs: round(median(fills), 1),
    flush10kMs: round(flush10kMs, 1),
    restoreReadMs: round(restoreReadMs, 1),
    restoreApplyMs: round(restoreApplyMs, 1),
  };
}

interface MemoryResult {
  pipeline: string;
  window: string;
  openWindows: number;
  rssBytesPerMillionWindows: number;
  heapBytesPerWindow: number;
}

/** Child: 1 M keys, one event each, through the operator as the job runs it (stream, emitAccumulators). */
function memoryChild(index: number): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc');
  const pipeline = parsePipelines(readFileSync(join(root, 'pipelines.yaml'), 'utf8'))[index]!;
  const keys = 1_000_000;
  gc();
  const before = process.memoryUsage();
  const operator = new KeyedWindowOperator<UserEvent>(pipeline, { mode: 'stream', emitAccumulators: true });
  const ts = Date.UTC(2026, 0, 1, 0, 0, 30);
  for (let i = 0; i < keys; i++) operator.process(keyEvent(i, ts), i % 12, Math.floor(i / 12));
  gc();
  const after = process.memoryUsage();
  const { openWindows } = operator.stats();
  const result: MemoryResult = {
    pipeline: pipeline.name,
    window: pipeline.window.type,
    openWindows,
    rssBytesPerMillionWindows: Math.round(((after.rss - before.rss) / openWindows) * 1e6),
    heapBytesPerWindow: Math.round(
      (after.heapUsed + after.arrayBuffers - before.heapUsed - before.arrayBuffers) / openWindows,
    ),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

function memory(index: number): MemoryResult {
  const output = execFileSync(
    process.execPath,
    ['--expose-gc', '--max-old-space-size=8192', __filename, '--child-memory', String(index)],
    { encoding: 'utf8' },
  );
  return JSON.parse(output.trim().split('\n').at(-1)!) as MemoryResult;
}

export async function runSpeedBench(options: Options = FULL): Promise<string> {
  const date = new Date().toISOString();
  const run = new Run();
  const results: Record<string, unknown> = { benchmark: 'speed', date, machine: machineInfo(), options };
  const log = (line: string): void => void process.stderr.write(`[speed bench] ${line}\n`);
  try {
    const topic = run.topic('sat');
    log(`pre-filling ${topic} with ${options.events} events`);
    await prefill(topic, options.events);
    const total = await endOffsetTotal(run.kafka, topic);
    const { file, pipelines } = run.pipelines(topic, 'sat');
    let version = 0;
    const nextVersion = (): number => ++version;

    log('ConsumerPerformance');
    const cpGroup = `lk-bench-speed-${run.suffix}-cp`;
    run.groups.push(cpGroup);
    const consumerPerf = await consumerPerformance(run.stack.kafkaBrokers, topic, cpGroup, total);
    log('consume + decode loop');
    const decodeLoop = await consumeDecodeLoop(run.kafka, run.registry, topic, run.group('decode'), total);
    log('speed, one pipeline (tumbling)');
    const one = await saturate(run, file, [pipelines[0]!], nextVersion, total);
    log('speed, all three pipelines');
    const all = await saturate(run, file, pipelines, nextVersion, total);
    results.saturation = {
      events: total,
      consumerPerformance: consumerPerf,
      consumeDecodeLoop: decodeLoop,
      speedOnePipeline: one,
      speedAllPipelines: all,
      ratios: {
        oneToConsumerPerformance: round(one.steadyEventsPerSecond / consumerPerf.fetchRecordsPerSecond, 3),
        oneToDecodeLoop: round(one.steadyEventsPerSecond / decodeLoop.steadyEventsPerSecond, 3),
        allToConsumerPerformance: round(all.steadyEventsPerSecond / consumerPerf.fetchRecordsPerSecond, 3),
        allToDecodeLoop: round(all.steadyEventsPerSecond / decodeLoop.steadyEventsPerSecond, 3),
      },
    };

    const sizes: unknown[] = [];
    for (const size of options.flushSizes) {
      log(`speed, one pipeline, SPEED_FLUSH_MAX_EVENTS=${size}`);
      sizes.push({
        flushMaxEvents: size,
        ...(await saturate(run, file, [pipelines[0]!], nextVersion, total, {
          SPEED_FLUSH_MAX_EVENTS: String(size),
        })),
      });
    }
    results.flushSizes = sizes;

    log('CPU profile of the service at saturation (one pipeline)');
    const profileDir = join(run.dir, 'profile');
    const profiled = await saturate(run, file, [pipelines[0]!], nextVersion, total, {}, [
      '--cpu-prof',
      `--cpu-prof-dir=${profileDir}`,
    ]);
    const profileFile = readdirSync(profileDir)
      .filter((name) => name.endsWith('.cpuprofile'))
      .sort()
      .at(-1);
    results.profile = {
      run: profiled,
      ...(profileFile
        ? summarizeProfile(join(profileDir, profileFile))
        : { missing: 'no .cpuprofile written' }),
    };

    const latencies: (LatencyResult | { flushIntervalMs: number; skipped: string })[] = [];
    for (const interval of options.flushIntervals) {
      log(`latency at 10 k events/s, SPEED_FLUSH_INTERVAL_MS=${interval}`);
      latencies.push(
        await latency(run, interval, options.latencySeconds).catch((error: unknown) => ({
          flushIntervalMs: interval,
          skipped: (error as Error).message.slice(0, 500),
        })),
      );
    }
    results.latency = latencies;

    const store: (StoreResult | { openWindows: number; skipped: string })[] = [];
    for (const keys of options.storeKeys) {
      log(`flush/restore with ${keys} open windows`);
      store.push(
        await storeCost(run, keys, pipelines[0]!).catch((error: unknown) => ({
          openWindows: keys,
          skipped: (error as Error).message.slice(0, 500),
        })),
      );
    }
    results.store = store;
    log('memory per open window');
    results.memory = [0, 1, 2].map(memory);
  } finally {
    await run.cleanUp().catch((error: unknown) => log(`clean-up failed: ${(error as Error).message}`));
  }
  const file = writeResults('speed', date, results);
  printSummary(results);
  process.stdout.write(`results: ${file}\n`);
  return file;
}

function printSummary(results: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ ...results, machine: undefined }, null, 2)}\n`);
}

/**
 * A/B of service settings on one pre-filled topic: the consume+decode loop, then each `--set` (comma-separated
 * VAR=value list, '-' for the defaults) one pipeline at saturation, interleaved `--repeat` times. Prints and
 * records the steady events/s per setting; for tuning, the full run records the defaults.
 */
async function compareSettings(args: string[]): Promise<void> {
  const value = (flag: string): string[] =>
    args.flatMap((arg, i) => (arg === flag && args[i + 1] !== undefined ? [args[i + 1]!] : []));
  const settings = value('--set').map((list) =>
    list === '-'
      ? {}
      : Object.fromEntries(
          list
            .split(',')
            .map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
        ),
  );
  const repeat = Number(value('--repeat')[0] ?? 2);
  const events = Number(value('--events')[0] ?? 1_000_000);
  const nodeArgs = value('--node-arg');
  const date = new Date().toISOString();
  const run = new Run();
  const log = (line: string): void => void process.stderr.write(`[speed bench] ${line}\n`);
  const figures: { settings: Record<string, string>; steady: number[] }[] = settings.map((s) => ({
    settings: s,
    steady: [],
  }));
  let loop: RateResult;
  try {
    if (args.includes('--latency')) {
      for (let round = 0; round < repeat; round++)
        for (const figure of figures) {
          // '-' runs the service's defaults: SPEED_FLUSH_INTERVAL_MS 5 (services/speed/src/config/speed-config.ts)
          const { SPEED_FLUSH_INTERVAL_MS: interval = '5', ...env } = figure.settings;
          const result = await latency(run, Number(interval), 12, env);
          figure.steady.push(result.p99Ms);
          log(`${JSON.stringify(figure.settings)}: p50 ${result.p50Ms} p99 ${result.p99Ms} ms`);
        }
      const summary = figures.map((f) => ({ ...f, medianP99Ms: median(f.steady) }));
      process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
      return;
    }
    const topic = run.topic('ab');
    log(`pre-filling ${topic} with ${events} events`);
    await prefill(topic, events);
    const total = await endOffsetTotal(run.kafka, topic);
    const { file, pipelines } = run.pipelines(topic, 'ab');
    let version = 0;
    loop = await consumeDecodeLoop(run.kafka, run.registry, topic, run.group('decode'), total);
    log(`consume + decode loop: ${loop.steadyEventsPerSecond} events/s`);
    for (let round = 0; round < repeat; round++)
      for (const figure of figures) {
        const result = await saturate(
          run,
          file,
          [pipelines[0]!],
          () => ++version,
          total,
          figure.settings,
          nodeArgs,
        );
        figure.steady.push(result.steadyEventsPerSecond);
        log(`${JSON.stringify(figure.settings)}: ${result.steadyEventsPerSecond} events/s`);
      }
  } finally {
    await run.cleanUp().catch((error: unknown) => log(`clean-up failed: ${(error as Error).message}`));
  }
  const summary = figures.map((f) => ({
    ...f,
    median: median(f.steady),
    toDecodeLoop: round(median(f.steady) / loop.steadyEventsPerSecond, 3),
  }));
  const written = writeResults('speed-settings', date, {
    benchmark: 'speed-settings',
    date,
    machine: machineInfo(),
    events,
    consumeDecodeLoop: loop,
    settings: summary,
  });
  process.stdout.write(`${JSON.stringify(summary, null, 2)}\nresults: ${written}\n`);
}

async function main(args: string[]): Promise<void> {
  const memoryIndex = args.indexOf('--child-memory');
  if (memoryIndex >= 0) return memoryChild(Number(args[memoryIndex + 1]));
  if (args.includes('--set')) return compareSettings(args);
  await runSpeedBench(args.includes('--quick') ? QUICK : FULL);
}

if (require.main === module) void runCli(main, { name: 'bench-speed', forceExit: true });
