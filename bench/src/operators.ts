// Operator throughput and state size on one core. Each scenario runs in its own child process (fresh JIT and
// heap, `--expose-gc` for the memory figures); this process only orchestrates and reports.
import { execFileSync } from 'node:child_process';
import { KeyedWindowOperator, type AggregationSpec, type Pipeline, type WindowSpec } from '@lk/operators';
import { machineInfo, median, writeResults, type MachineInfo } from './results';

type WindowName = 'tumbling' | 'sliding' | 'session';
type AggregationSet = 'count+sum' | 'all';

interface ThroughputScenario {
  readonly kind: 'throughput';
  readonly window: WindowName;
  readonly aggregations: AggregationSet;
  readonly keys: number;
  readonly events: number;
  readonly repetitions: number;
}

interface MemoryScenario {
  readonly kind: 'memory';
  readonly window: WindowName;
  readonly aggregations: AggregationSet;
  readonly keys: number;
}

/** Session state left once every key's only session is final and the watermark is far beyond it. */
interface FrontierScenario {
  readonly kind: 'frontiers';
  readonly keys: number;
  /** The pipeline's stateRetention in ms; null: none (each key keeps its F(k) until the end of input). */
  readonly stateRetention: number | null;
  /** Event time between one key's session and the next key's. */
  readonly keyEveryMs: number;
}

type Scenario = ThroughputScenario | MemoryScenario | FrontierScenario;

export interface ThroughputResult extends ThroughputScenario {
  /** Median over the repetitions. */
  readonly eventsPerSecond: number;
  readonly runs: number[];
  readonly lateEvents: number;
  readonly changesEmitted: number;
  /** Sum over the changes read of key length, start, revision, final and values: equal runs, equal output. */
  readonly checksum: number;
  readonly openWindowsAtEnd: number;
}

export interface MemoryResult extends MemoryScenario {
  readonly openWindows: number;
  readonly bytesPerOpenWindow: number;
}

export interface FrontierResult extends FrontierScenario {
  /** Keys the operator still holds (stats().keys). */
  readonly keysLeft: number;
  /** Heap + ArrayBuffer growth after gc, per million keys that had a session. */
  readonly bytesPerMillionKeys: number;
  /** RSS growth per million keys (informational: freed pages are not always returned to the OS). */
  readonly rssBytesPerMillionKeys: number;
}

export interface OperatorsBenchResults {
  readonly benchmark: 'operators';
  readonly date: string;
  readonly machine: MachineInfo;
  readonly setup: string;
  readonly throughput: ThroughputResult[];
  readonly memory: MemoryResult[];
  readonly frontiers: FrontierResult[];
}

const WINDOWS: Record<WindowName, WindowSpec> = {
  tumbling: { type: 'tumbling', size: 60_000, offset: 0 },
  sliding: { type: 'sliding', size: 300_000, slide: 60_000, offset: 0 },
  session: { type: 'session', gap: 30_000 },
};

const AGGREGATIONS: Record<AggregationSet, AggregationSpec[]> = {
  'count+sum': [
    { name: 'events', fn: 'count' },
    { name: 'amount_sum', fn: 'sum', field: 'amount' },
  ],
  all: [
    { name: 'events', fn: 'count' },
    { name: 'amount_sum', fn: 'sum', field: 'amount' },
    { name: 'amount_min', fn: 'min', field: 'amount' },
    { name: 'amount_max', fn: 'max', field: 'amount' },
    { name: 'amount_avg', fn: 'avg', field: 'amount' },
    { name: 'types', fn: 'count_distinct', field: 'event_type' },
  ],
};

const PARTITIONS = 12;
/** Event time advances 20k events per second; events lag up to 2 s behind; the watermark allows 5 s. */
const EVENTS_PER_EVENT_SECOND = 20_000;
const MAX_LAG_MS = 2_000;
const FLUSH_EVERY = 100_000;
const T0 = 1_700_000_000_000;
const EVENT_TYPES = ['view', 'click', 'add_to_cart', 'purchase'];

export const SETUP =
  `UserEvent-shaped objects {user_id, event_type, amount, ts} with a fresh key string each, ${PARTITIONS} ` +
  `partitions (key mod ${PARTITIONS}), event time advancing ${EVENTS_PER_EVENT_SECOND} events/s with up to ` +
  `${MAX_LAG_MS} ms lag, maxOutOfOrderness 5s, allowedLateness 0, flushEach() every ${FLUSH_EVERY} events ` +
  `reading each changed window's key, bounds, revision and values (only process() and flushEach() are timed); tumbling 1m, sliding 5m/1m, session gap 30s.`;

interface BenchEvent {
  user_id: string;
  event_type: string;
  amount: number;
  ts: number;
}

function pipelineFor(window: WindowName, aggregations: AggregationSet): Pipeline {
  return {
    name: `bench_${window}`,
    source: 'user-events',
    key: 'user_id',
    time: 'ts',
    window: WINDOWS[window],
    watermark: { maxOutOfOrderness: 5_000 },
    allowedLateness: 0,
    aggregations: AGGREGATIONS[aggregations],
  };
}

/** Deterministic xorshift32 in [0, 1), so every run sees the same log. */
function random(seed: number): () => number {
  let x = seed | 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

function makeEvent(i: number, keys: number, next: () => number): BenchEvent {
  const key = Math.floor(next() * keys);
  return {
    user_id: `user-${key}`,
    event_type: EVENT_TYPES[key & 3]!,
    amount: Math.round(next() * 10_000) / 100,
    ts: T0 + Math.floor((i * 1_000) / EVENTS_PER_EVENT_SECOND) - Math.floor(next() * MAX_LAG_MS),
  };
}

const partitionOf = (event: BenchEvent): number => Number(event.user_id.slice(5)) % PARTITIONS;

/**
 * The log is made batch by batch, as a consumer polls it, and only process() + flush() are timed: a log
 * held whole in memory would make every GC walk millions of live events, which no consumer does.
 */
function runThroughput(scenario: ThroughputScenario): ThroughputResult {
  const pipeline = pipelineFor(scenario.window, scenario.aggregations);
  const aggregationCount = pipeline.aggregations.length;
  const events = new Array<BenchEvent>(FLUSH_EVERY);
  const partitions = new Int32Array(FLUSH_EVERY);

  const once = (count: number) => {
    const next = random(7);
    const operator = new KeyedWindowOperator<BenchEvent>(pipeline);
    let lateEvents = 0;
    let changesEmitted = 0;
    let checksum = 0;
    let nanoseconds = 0n;
    for (let offset = 0; offset < count; offset += FLUSH_EVERY) {
      const batch = Math.min(FLUSH_EVERY, count - offset);
      for (let i = 0; i < batch; i++) {
        events[i] = makeEvent(offset + i, scenario.keys, next);
        partitions[i] = partitionOf(events[i]!);
      }
      const started = process.hrtime.bigint();
      for (let i = 0; i < batch; i++) operator.process(events[i]!, partitions[i]!);
      // As a sink writing rows would: every field of every changed window is read, nothing is kept.
      const output = operator.flushEach((result) => {
        changesEmitted++;
        checksum += result.key.length + result.windowStart + result.revision + (result.final ? 1 : 0);
        for (let a = 0; a < aggregationCount; a++) checksum += result.value(a) ?? 0;
      });
      nanoseconds += process.hrtime.bigint() - started;
      lateEvents += output.late.length;
    }
    return {
      eventsPerSecond: Math.round(count / (Number(nanoseconds) / 1e9)),
      lateEvents,
      changesEmitted,
      checksum,
      openWindowsAtEnd: operator.stats().openWindows,
    };
  };

  once(Math.min(scenario.events, 1_000_000)); // warm-up: let the JIT settle before measuring
  const runs = Array.from({ length: scenario.repetitions }, () => {
    global.gc?.();
    return once(scenario.events);
  });
  const rates = runs.map((r) => r.eventsPerSecond);
  return { ...scenario, ...runs[runs.length - 1]!, eventsPerSecond: Math.round(median(rates)), runs: rates };
}

/**
 * Heap growth per open (key, window), key strings and the key table included: one event per key at the same
 * time, so nothing is final and every (key, window) stays open.
 */
function runMemory(scenario: MemoryScenario): MemoryResult {
  const gc = global.gc;
  if (gc === undefined) throw new Error('memory scenarios need --expose-gc');
  const operator = new KeyedWindowOperator<BenchEvent>(pipelineFor(scenario.window, scenario.aggregations));
  const next = random(11);
  // Typed-array columns live outside the JS heap: count them too.
  const used = (): number => process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
  gc();
  const before = used();
  for (let key = 0; key < scenario.keys; key++) {
    const event = { user_id: `user-${key}`, event_type: EVENT_TYPES[key & 3]!, amount: next() * 100, ts: T0 };
    operator.process(event, key % PARTITIONS);
    if ((key + 1) % FLUSH_EVERY === 0) operator.flush();
  }
  operator.flush();
  gc();
  gc();
  const after = used();
  const openWindows = operator.stats().openWindows;
  return { ...scenario, openWindows, bytesPerOpenWindow: Math.round((after - before) / openWindows) };
}

/**
 * What session keys cost once their sessions are final: key i has one event at T0 + i · keyEveryMs, then one
 * event per partition 2 h after the last moves every watermark far beyond every session (and beyond F(k) +
 * stateRetention for a retention up to ~2 h). Growth of heap + ArrayBuffers after gc, per million keys. With
 * stateRetention no key is left, and what remains is capacity: typed-array columns, heaps and the key table's
 * arrays keep the size they grew to, i.e. the most keys held at once (those within stateRetention of the
 * watermark, plus open sessions): all of them when the keys came within 1 h, a tenth when over 10 h.
 */
function runFrontiers(scenario: FrontierScenario): FrontierResult {
  const gc = global.gc;
  if (gc === undefined) throw new Error('memory scenarios need --expose-gc');
  const pipeline: Pipeline = {
    ...pipelineFor('session', 'count+sum'),
    ...(scenario.stateRetention === null ? {} : { stateRetention: scenario.stateRetention }),
  };
  const operator = new KeyedWindowOperator<BenchEvent>(pipeline);
  const next = random(13);
  const used = (): number => process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
  gc();
  const before = used();
  const rssBefore = process.memoryUsage().rss;
  const event = (key: string, ts: number): BenchEvent => ({
    user_id: key,
    event_type: EVENT_TYPES[Number(ts % 4)]!,
    amount: Math.round(next() * 10_000) / 100,
    ts,
  });
  for (let key = 0; key < scenario.keys; key++) {
    operator.process(event(`user-${key}`, T0 + key * scenario.keyEveryMs), key % PARTITIONS);
    if ((key + 1) % FLUSH_EVERY === 0) operator.flush();
  }
  const far = T0 + scenario.keys * scenario.keyEveryMs + 2 * 3_600_000;
  for (let partition = 0; partition < PARTITIONS; partition++) {
    operator.process(event(`clock-${partition}`, far), partition);
  }
  operator.flush();
  gc();
  gc();
  const perMillion = (bytes: number): number => Math.round((bytes / scenario.keys) * 1e6);
  return {
    ...scenario,
    keysLeft: operator.stats().keys,
    bytesPerMillionKeys: perMillion(used() - before),
    rssBytesPerMillionKeys: perMillion(process.memoryUsage().rss - rssBefore),
  };
}

function runInChild<R>(scenario: Scenario): R {
  const stdout = execFileSync(
    process.execPath,
    ['--expose-gc', '--max-old-space-size=8192', __filename, '--child', JSON.stringify(scenario)],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return JSON.parse(stdout) as R;
}

export function scenarios(options: { quick?: boolean; repetitions?: number } = {}): Scenario[] {
  const repetitions = options.repetitions ?? (options.quick === true ? 1 : 3);
  const events = options.quick === true ? 500_000 : 2_000_000;
  const keyCounts = options.quick === true ? [10_000, 100_000] : [10_000, 1_000_000];
  const throughput: Scenario[] = [];
  for (const window of ['tumbling', 'sliding', 'session'] as const) {
    for (const aggregations of ['count+sum', 'all'] as const) {
      for (const keys of keyCounts)
        throughput.push({ kind: 'throughput', window, aggregations, keys, events, repetitions });
    }
  }
  const memoryKeys = options.quick === true ? 100_000 : 1_000_000;
  const memory: Scenario[] = (['tumbling', 'sliding', 'session'] as const).flatMap((window) =>
    (['count+sum', 'all'] as const).map((aggregations): Scenario => ({
      kind: 'memory',
      window,
      aggregations,
      keys: memoryKeys,
    })),
  );
  // 1 M keys within 17 min of event time (all of them within 1 h of each other), or over 10 h
  const frontiers = [1, 36].flatMap((keyEveryMs) =>
    [null, 3_600_000].map((stateRetention): Scenario => ({
      kind: 'frontiers',
      keys: memoryKeys,
      stateRetention,
      keyEveryMs,
    })),
  );
  return [...throughput, ...memory, ...frontiers];
}

const rate = (n: number): string => `${(n / 1e6).toFixed(2)} M/s`;

export function formatTable(results: OperatorsBenchResults): string {
  const lines = ['window    aggregations  keys       events/s (median)  runs', '-'.repeat(78)];
  for (const r of results.throughput) {
    lines.push(
      `${r.window.padEnd(10)}${r.aggregations.padEnd(14)}${r.keys.toLocaleString('en').padEnd(11)}` +
        `${rate(r.eventsPerSecond).padEnd(19)}${r.runs.map(rate).join(', ')}`,
    );
  }
  lines.push('', 'window    aggregations  open (key, window)  bytes each', '-'.repeat(56));
  for (const m of results.memory) {
    lines.push(
      `${m.window.padEnd(10)}${m.aggregations.padEnd(14)}${m.openWindows.toLocaleString('en').padEnd(20)}${m.bytesPerOpenWindow}`,
    );
  }
  lines.push(
    '',
    'final session keys  one every  stateRetention  keys left  bytes per 1 M keys',
    '-'.repeat(76),
  );
  for (const f of results.frontiers) {
    const retention = f.stateRetention === null ? 'none' : `${f.stateRetention / 3_600_000}h`;
    lines.push(
      `${f.keys.toLocaleString('en').padEnd(20)}${`${f.keyEveryMs} ms`.padEnd(11)}${retention.padEnd(16)}` +
        `${f.keysLeft.toLocaleString('en').padEnd(11)}${f.bytesPerMillionKeys.toLocaleString('en')}`,
    );
  }
  return lines.join('\n');
}

/** Runs every scenario, prints the table and writes bench/results/operators-<ISO date>.json. */
export function runOperatorsBench(
  options: { quick?: boolean; repetitions?: number } = {},
): OperatorsBenchResults {
  const throughput: ThroughputResult[] = [];
  const memory: MemoryResult[] = [];
  const frontiers: FrontierResult[] = [];
  for (const scenario of scenarios(options)) {
    process.stderr.write(`operators bench: ${JSON.stringify(scenario)}\n`);
    if (scenario.kind === 'throughput') throughput.push(runInChild<ThroughputResult>(scenario));
    else if (scenario.kind === 'frontiers') frontiers.push(runInChild<FrontierResult>(scenario));
    else memory.push(runInChild<MemoryResult>(scenario));
  }
  const date = new Date().toISOString();
  const results: OperatorsBenchResults = {
    benchmark: 'operators',
    date,
    machine: machineInfo(),
    setup: SETUP,
    throughput,
    memory,
    frontiers,
  };
  const file = writeResults('operators', date, results);
  process.stdout.write(`${formatTable(results)}\n\nwritten to ${file}\n`);
  return results;
}

if (require.main === module) {
  const args = process.argv.slice(2);
  if (args[0] === '--child') {
    const scenario = JSON.parse(args[1]!) as Scenario;
    const result =
      scenario.kind === 'throughput'
        ? runThroughput(scenario)
        : scenario.kind === 'frontiers'
          ? runFrontiers(scenario)
          : runMemory(scenario);
    process.stdout.write(JSON.stringify(result));
  } else {
    const repetitions = args.includes('--repetitions')
      ? Number(args[args.indexOf('--repetitions') + 1])
      : undefined;
    runOperatorsBench({ quick: args.includes('--quick'), repetitions });
  }
}
