import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Logger, loadStackConfig } from '@lk/common';
import type { ConsumedBatch, ConsumedRecord, DeadLetterQueue, KafkaClient } from '@lk/kafka';
import { KeyedWindowOperator, validatePipelines, type OperatorMode, type Pipeline } from '@lk/operators';
import { Database, migrate, StreamJobStore } from '@lk/store';
import { noMetrics, PartitionReplay, StreamJob, type JobSource, type JobSourceHandlers } from '@lk/streaming';

/**
 * Session pipelines with stateRetention R: each flush deletes the job's `session_frontiers` rows of its
 * partitions with `frontier + R <= wm(p)` (the watermark the flush records), in the flush's transaction, so
 * the table holds what the operator holds. Runs the speed job (StreamJob, an in-memory source) and a Kappa
 * replay (PartitionReplay in stream mode, an in-memory Kafka) against the real PostgreSQL store, stopping and
 * resuming them between segments of the log: every resume is a claim and restore from the pruned rows.
 */
interface Event {
  user: string;
  ts: number;
  amount: number;
}

interface Entry {
  readonly partition: number;
  readonly offset: number;
  readonly event: Event;
}

const GAP = 3_000;
const LATENESS = 1_000;
const OUT_OF_ORDER = 2_000;
/** the least stateRetention allowed (gap + allowedLateness): the horizon is as close behind as it can be */
const RETENTION = GAP + LATENESS;
const PARTITIONS = [0, 1, 2];
const TOPIC = 'frontier-pruning-events';
const T0 = 1_700_000_000_000;

const database = new Database(loadStackConfig().databaseUrl);
const store = new StreamJobStore(database);
const runId = randomUUID().slice(0, 8);
const jobPrefix = `speed:frontier_pruning_${runId}`;
let jobs = 0;
const newJobId = (): string => `${jobPrefix}_${++jobs}:v1`;

beforeAll(async () => {
  await migrate(database);
});

afterAll(async () => {
  await store.deleteJobs(jobPrefix);
  await database.close();
});

function pipelineOf(retention: boolean): Pipeline {
  const pipeline = validatePipelines([
    {
      name: 'sessions',
      source: TOPIC,
      key: 'user',
      time: 'ts',
      window: { type: 'session', gap: '3s' },
      watermark: { maxOutOfOrderness: '2s' },
      allowedLateness: '1s',
      aggregations: [
        { name: 'events', fn: 'count' },
        { name: 'amount', fn: 'sum', field: 'amount' },
      ],
      ...(retention && { stateRetention: '4s' }),
    },
  ])[0]!;
  expect(pipeline.stateRetention).toBe(retention ? RETENTION : undefined);
  return pipeline;
}

function xorshift(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
}

/**
 * A seeded log over 3 partitions, 20 keys each (a key stays on its partition; low keys come more often, so
 * some go quiet for long). Times are whole seconds, so frontiers land exactly on the horizon now and then;
 * each partition's time moves on by 0–1 s, and now and then by 3–12 s. In order: every event at its
 * partition's time (none is late). Disordered: events up to 14 s behind it, late by every rule now and then.
 */
function logOf(seed: number, count: number, disordered: boolean): Entry[] {
  const random = xorshift(seed);
  const offsets = PARTITIONS.map(() => 0);
  const clock = PARTITIONS.map(() => T0);
  const log: Entry[] = [];
  for (let i = 0; i < count; i++) {
    const partition = Math.floor(random() * PARTITIONS.length);
    const user = partition + PARTITIONS.length * Math.floor(random() ** 2 * 20);
    clock[partition]! += 1_000 * (random() < 0.1 ? 3 + Math.floor(random() * 10) : Math.floor(random() * 2));
    const behind = !disordered
      ? 0
      : 1_000 * (random() < 0.1 ? Math.floor(random() * 15) : Math.floor(random() * 3));
    log.push({
      partition,
      offset: offsets[partition]!++,
      event: { user: `u${user}`, ts: clock[partition]! - behind, amount: Math.floor(random() * 100) },
    });
  }
  return log;
}

/**
 * What `session_frontiers` must hold after an in-order log, from the events alone: per partition
 * wm(p) = max event time − maxOutOfOrderness; per key, sessions of events at most `gap` apart ending
 * `gap` after their last event, final once `end + allowedLateness <= wm(p)`, and F(k) the end of the latest
 * final one; kept while `F(k) + R <= wm(p)` does not hold (every key with a final session without R).
 */
function expectedFrontiers(log: readonly Entry[], retention: number | undefined) {
  const maxTime = new Map<number, number>();
  const times = new Map<string, number[]>();
  for (const { partition, event } of log) {
    maxTime.set(partition, Math.max(maxTime.get(partition) ?? -Infinity, event.ts));
    const id = `${partition}|${event.user}`;
    times.set(id, [...(times.get(id) ?? []), event.ts]);
  }
  const watermarks = new Map([...maxTime].map(([partition, max]) => [partition, max - OUT_OF_ORDER]));
  const rows = new Map<string, number>();
  /** keys whose F(k) + R is exactly wm(p) (pruned) or one second above it (kept), and all pruned ones */
  const stats = { onHorizon: 0, justInside: 0, pruned: 0 };
  for (const [id, keyTimes] of times) {
    const watermark = watermarks.get(Number(id.slice(0, id.indexOf('|'))))!;
    const ends: number[] = [];
    for (const time of [...keyTimes].sort((a, b) => a - b)) {
      if (ends.length > 0 && time <= ends.at(-1)!) ends[ends.length - 1] = time + GAP;
      else ends.push(time + GAP);
    }
    const finalEnds = ends.filter((end) => end + LATENESS <= watermark);
    if (finalEnds.length === 0) continue;
    const frontier = Math.max(...finalEnds);
    if (frontier + RETENTION === watermark) stats.onHorizon++;
    if (frontier + RETENTION === watermark + 1_000) stats.justInside++;
    if (retention !== undefined && frontier + retention <= watermark) stats.pruned++;
    else rows.set(id, frontier);
  }
  return { rows, watermarks, stats };
}

/** The uninterrupted run: one operator in memory fed the same events, its output applied like the store does. */
class Reference {
  private readonly operator: KeyedWindowOperator<Event>;
  private readonly rows = new Map<string, string>();
  private readonly late: string[] = [];

  constructor(pipeline: Pipeline) {
    this.operator = new KeyedWindowOperator<Event>(pipeline, { mode: 'stream' });
  }

  feed(entries: readonly Entry[]): void {
    for (const { event, partition, offset } of entries) this.operator.process(event, partition, offset);
    for (const partition of PARTITIONS) {
      const output = this.operator.flush(partition);
      for (const r of output.retractions) this.rows.delete(`${r.key}|${r.windowStart}|${r.windowEnd}`);
      for (const c of output.changes)
        this.rows.set(
          `${c.key}|${c.windowStart}|${c.windowEnd}`,
          resultRow(c.key, c.windowStart, c.windowEnd, c.values, c.revision, c.final),
        );
      for (const l of output.late) this.late.push(`${partition}@${l.offset}|${l.windowStart}|${l.windowEnd}`);
    }
  }

  results(): string[] {
    return [...this.rows.values()].sort();
  }

  lateEvents(): string[] {
    return [...this.late].sort();
  }

  /** the frontiers the operator holds: the rows the store must hold */
  frontiers(): Map<string, number> {
    return new Map(
      PARTITIONS.flatMap((partition) =>
        this.operator
          .snapshotPartition(partition)
          .finalFrontiers.map(([key, frontier]): [string, number] => [`${partition}|${key}`, frontier]),
      ),
    );
  }
}

function resultRow(
  key: string,
  start: number,
  end: number,
  values: Record<string, number | null>,
  revision: number,
  final: boolean,
): string {
  const sorted = Object.entries(values).sort(([a], [b]) => (a < b ? -1 : 1));
  return `${key}|${start}|${end}|${JSON.stringify(sorted)}|${revision}|${final}`;
}

async function storedFrontiers(jobId: string): Promise<Map<string, number>> {
  const rows = await database.query<{ partition: number; key: string; frontier: string }>(
    'select partition, key, frontier from session_frontiers where job_id = $1',
    [jobId],
  );
  return new Map(rows.map((row) => [`${row.partition}|${row.key}`, Number(row.frontier)]));
}

async function storedWatermarks(jobId: string): Promise<Map<number, number>> {
  const rows = await database.query<{ partition: number; watermark: string }>(
    'select partition, watermark from partition_state where job_id = $1 and watermark is not null',
    [jobId],
  );
  return new Map(rows.map((row) => [row.partition, Number(row.watermark)]));
}

async function storedResults(jobId: string): Promise<string[]> {
  const rows = await database.query<{
    key: string;
    window_start: string;
    window_end: string;
    values: Record<string, number | null>;
    revision: number;
    final: boolean;
  }>('select key, window_start, window_end, values, revision, final from window_results where job_id = $1', [
    jobId,
  ]);
  return rows
    .map((r) => resultRow(r.key, Number(r.window_start), Number(r.window_end), r.values, r.revision, r.final))
    .sort();
}

async function storedLate(jobId: string): Promise<string[]> {
  const rows = await database.query<{
    partition: number;
    offset: string;
    window_start: string;
    window_end: string;
  }>('select partition, "offset", window_start, window_end from late_events where job_id = $1', [jobId]);
  return rows.map((r) => `${r.partition}@${r.offset}|${r.window_start}|${r.window_end}`).sort();
}

/** keys with a final session in the stored results: the frontier rows there would be without pruning */
async function keysWithFinalSessions(jobId: string): Promise<number> {
  const rows = await database.query<{ keys: string }>(
    'select count(distinct key) as keys from window_results where job_id = $1 and final',
    [jobId],
  );
  return Number(rows[0]!.keys);
}

function recordOf({ partition, offset, event }: Entry): ConsumedRecord {
  return {
    topic: TOPIC,
    partition,
    offset: BigInt(offset),
    key: Buffer.from(event.user),
    value: Buffer.from(JSON.stringify(event)),
    headers: {},
    rawHeaders: {},
    timestamp: event.ts,
  };
}

const decode = async (record: ConsumedRecord): Promise<Event> =>
  JSON.parse(record.value!.toString()) as Event;
const deadLetters = {
  send: async () => {
    throw new Error('no record of these logs is poison');
  },
} as unknown as DeadLetterQueue;

/** What the jobs log at warn or above (a failed or fenced flush): a run must log nothing. */
const problems: string[] = [];
const logger = new Logger('frontier-pruning-test', {}, 'warn', (line) => problems.push(line));

/** Runs a job over the log in segments, from a fresh instance each (claim, restore); `after` each segment. */
type Driver = (
  jobId: string,
  pipeline: Pipeline,
  log: readonly Entry[],
  cuts: readonly number[],
  after: (prefix: readonly Entry[]) => Promise<void>,
) => Promise<void>;

/** The speed layer: a StreamJob per segment, fed batches of consecutive same-partition records, then stopped. */
const speed: Driver = async (jobId, pipeline, log, cuts, after) => {
  const random = xorshift(cuts.length + log.length);
  let from = 0;
  for (const to of [...cuts, log.length]) {
    let handlers: JobSourceHandlers | undefined;
    const source: JobSource = {
      start: async (h) => void (handlers = h),
      seek: () => {
        throw new Error('the job never reads ahead of what PostgreSQL holds here');
      },
      commit: async () => undefined,
      pauseAll: () => undefined,
      resumeAll: () => undefined,
      stop: async () => undefined,
    };
    const job = new StreamJob<Event>({
      jobId,
      groupId: `lk-test-${jobId}`,
      pipeline,
      source,
      store,
      decode,
      isPoison: () => false,
      deadLetters,
      publish: async () => undefined,
      metrics: noMetrics,
      logger,
      // flushes by size only (and at stop): a few dozen per segment, each recording the watermark then
      flushIntervalMs: 3_600_000,
      flushMaxEvents: 20,
    });
    let fatal: Error | undefined;
    await job.start((error) => (fatal = error));
    for (let i = from; i < to;) {
      const partition = log[i]!.partition;
      const size = 1 + Math.floor(random() * 8);
      const records: ConsumedRecord[] = [];
      for (; i < to && records.length < size && log[i]!.partition === partition; i++)
        records.push(recordOf(log[i]!));
      const batch: ConsumedBatch = {
        topic: TOPIC,
        partition,
        records,
        highWatermark: records.at(-1)!.offset + 1n,
      };
      await handlers!.onBatch(batch);
    }
    await job.stop();
    expect(fatal).toBeUndefined();
    await after(log.slice(0, to));
    from = to;
  }
};

/** An in-memory Kafka for readPartitionRange: the partition's records from offset 0, in batches of 1–8. */
function kafkaOf(records: readonly ConsumedRecord[], random: () => number): KafkaClient {
  return {
    consumer: () => {
      let stopped = false;
      return {
        connect: async () => undefined,
        disconnect: async () => void (stopped = true),
        waitForStop: () => new Promise<never>(() => undefined),
        on: () => undefined,
        seek: () => undefined,
        commit: async () => undefined,
        run: async ({ eachBatch }: { eachBatch: (batch: ConsumedBatch) => Promise<void> }) => {
          for (let i = 0; i < records.length && !stopped;) {
            const batch = records.slice(i, i + 1 + Math.floor(random() * 8));
            i += batch.length;
            await eachBatch({
              topic: TOPIC,
              partition: batch[0]!.partition,
              records: batch,
              highWatermark: BigInt(records.length),
            });
          }
        },
      };
    },
  } as unknown as KafkaClient;
}

/** One PartitionReplay of `partition` over [startOffset, endOffset) of `records` (its log from offset 0). */
async function replayPartition(
  jobId: string,
  pipeline: Pipeline,
  mode: OperatorMode,
  partition: number,
  records: readonly ConsumedRecord[],
  range: { startOffset: number; endOffset: number },
  random: () => number,
): Promise<void> {
  await new PartitionReplay<Event>({
    jobId,
    pipeline,
    mode,
    partition,
    ...range,
    kafka: kafkaOf(records, random),
    groupId: `lk-test-${jobId}`,
    store,
    decode,
    isPoison: () => false,
    deadLetters,
    finish: async () => undefined,
    flushIntervalMs: 0,
    logger,
  }).run();
}

/**
 * A Kappa replay in stream mode: per segment and partition a PartitionReplay of the partition's range so
 * far, resuming where the previous one flushed (as a retried attempt does); it flushes after every batch.
 */
const replay: Driver = async (jobId, pipeline, log, cuts, after) => {
  const random = xorshift(cuts.length + log.length);
  let from = 0;
  for (const to of [...cuts, log.length]) {
    for (const partition of PARTITIONS) {
      const records = log.filter((entry) => entry.partition === partition).map(recordOf);
      const offsetAt = (end: number): number =>
        log.slice(0, end).filter((entry) => entry.partition === partition).length;
      const range = { startOffset: offsetAt(from), endOffset: offsetAt(to) };
      await replayPartition(jobId, pipeline, 'stream', partition, records, range, random);
    }
    await after(log.slice(0, to));
    from = to;
  }
};

const drivers: [string, Driver][] = [
  ['speed job (StreamJob)', speed],
  ['Kappa replay (PartitionReplay, stream mode)', replay],
];

describe.each(drivers)('session_frontiers pruning: %s', (_name, drive) => {
  it('with stateRetention, deletes the rows whose F(k) + R <= wm(p) at each flush and keeps the others', async () => {
    const pipeline = pipelineOf(true);
    const totals = { onHorizon: 0, justInside: 0, pruned: 0, kept: 0 };
    for (const seed of [3, 17]) {
      const jobId = newJobId();
      const log = logOf(seed, 1_200, false);
      const reference = new Reference(pipeline);
      let fed = 0;
      await drive(jobId, pipeline, log, [400, 800], async (prefix) => {
        const expected = expectedFrontiers(prefix, RETENTION);
        expect(await storedWatermarks(jobId), 'the watermarks the flushes recorded').toEqual(
          expected.watermarks,
        );
        expect(await storedFrontiers(jobId), `seed ${seed}, after ${prefix.length} events`).toEqual(
          expected.rows,
        );
        reference.feed(prefix.slice(fed));
        fed = prefix.length;
        expect(reference.frontiers(), 'what the operator holds').toEqual(expected.rows);
        expect(await storedLate(jobId), 'in order: nothing is late').toEqual([]);
        expect(await storedResults(jobId)).toEqual(reference.results());
        totals.onHorizon += expected.stats.onHorizon;
        totals.justInside += expected.stats.justInside;
        totals.pruned += expected.stats.pruned;
        totals.kept += expected.rows.size;
      });
    }
    // the logs reach both sides of the horizon, and exactly onto it
    expect(totals.pruned).toBeGreaterThan(50);
    expect(totals.kept).toBeGreaterThan(5);
    expect(totals.onHorizon).toBeGreaterThan(0);
    expect(totals.justInside).toBeGreaterThan(0);
    expect(problems).toEqual([]);
  });

  it('without stateRetention, keeps the row of every key that had a final session', async () => {
    const pipeline = pipelineOf(false);
    let prunable = 0;
    for (const seed of [3, 17]) {
      const jobId = newJobId();
      const log = logOf(seed, 1_200, false);
      await drive(jobId, pipeline, log, [400, 800], async (prefix) => {
        const expected = expectedFrontiers(prefix, undefined);
        expect(await storedFrontiers(jobId), `seed ${seed}, after ${prefix.length} events`).toEqual(
          expected.rows,
        );
        prunable += expectedFrontiers(prefix, RETENTION).stats.pruned;
      });
    }
    expect(prunable, 'rows that stateRetention would have pruned').toBeGreaterThan(50);
    expect(problems).toEqual([]);
  });

  it('keeps a frontier just inside the horizon: after a restore, an event reaching back to it is late', async () => {
    const pipeline = pipelineOf(true);
    const jobId = newJobId();
    const at = (key: string, seconds: number) => ({ user: key, seconds });
    const script = [
      at('c', 1), // c: [1 s, 4 s), final at wm 5 s, released at wm 8 s
      at('a', 10), // a: [10 s, 13 s), final at wm 14 s, released at wm 17 s
      at('b', 16), // wm 14 s
      at('b', 18), // wm 16 s: F(a) + R = 17 s > wm, F(c) + R = 8 s <= wm — restart here
      at('a', 13), // t = F(a): late (it would extend a's final session), but not beyond the horizon
      at('b', 20), // wm 18 s: F(a) released
      at('a', 15), // joins nothing and reaches back to nothing that is remembered: a new session
      at('b', 40), // everything final
    ];
    const log: Entry[] = script.map(({ user, seconds }, offset) => ({
      partition: 0,
      offset,
      event: { user, ts: T0 + seconds * 1_000, amount: offset },
    }));
    const reference = new Reference(pipeline);
    let fed = 0;
    await drive(jobId, pipeline, log, [4], async (prefix) => {
      reference.feed(prefix.slice(fed));
      fed = prefix.length;
      if (prefix.length === 4) expect(await storedFrontiers(jobId)).toEqual(new Map([['0|a', T0 + 13_000]]));
      expect(await storedResults(jobId)).toEqual(reference.results());
      expect(await storedLate(jobId)).toEqual(reference.lateEvents());
      expect(await storedFrontiers(jobId)).toEqual(reference.frontiers());
    });
    expect(reference.lateEvents(), 'a at 13 s').toEqual([`0@4|${T0 + 13_000}|${T0 + 16_000}`]);
    expect(problems).toEqual([]);
  });

  it('resumed from the pruned rows, gives what one uninterrupted operator gives', async () => {
    const pipeline = pipelineOf(true);
    let late = 0;
    for (const seed of [5, 23, 101]) {
      const jobId = newJobId();
      const log = logOf(seed, 1_500, true);
      const reference = new Reference(pipeline);
      let fed = 0;
      await drive(jobId, pipeline, log, [250, 600, 900, 1_200], async (prefix) => {
        reference.feed(prefix.slice(fed));
        fed = prefix.length;
        const context = `seed ${seed}, after ${prefix.length} events`;
        expect(await storedResults(jobId), context).toEqual(reference.results());
        expect(await storedLate(jobId), context).toEqual(reference.lateEvents());
        const frontiers = await storedFrontiers(jobId);
        expect(frontiers, context).toEqual(reference.frontiers());
        expect(frontiers.size, 'rows were pruned').toBeLessThan(await keysWithFinalSessions(jobId));
      });
      late += reference.lateEvents().length;
    }
    expect(late, 'the logs have late events').toBeGreaterThan(20);
    expect(problems).toEqual([]);
  });
});

describe('session_frontiers of a batch run', () => {
  it('a batch replay of a session pipeline stores no frontier rows, and its results are the batch-mode operator’s', async () => {
    for (const retention of [false, true]) {
      const pipeline = pipelineOf(retention);
      const jobId = newJobId();
      const log = logOf(11, 1_200, true);
      for (const partition of PARTITIONS) {
        const records = log.filter((entry) => entry.partition === partition).map(recordOf);
        const range = { startOffset: 0, endOffset: records.length };
        await replayPartition(jobId, pipeline, 'batch', partition, records, range, xorshift(partition + 1));
      }
      // the batch-mode operator over the whole log: every session final at the end of input
      const operator = new KeyedWindowOperator<Event>(pipeline, { mode: 'batch' });
      for (const { event, partition, offset } of log) operator.process(event, partition, offset);
      operator.advanceToEndOfInput();
      const expected = operator
        .flush()
        .changes.map((c) => resultRow(c.key, c.windowStart, c.windowEnd, c.values, c.revision, c.final))
        .sort();
      expect(expected.length, 'sessions').toBeGreaterThan(100);
      expect(await storedResults(jobId)).toEqual(expected);
      expect(await keysWithFinalSessions(jobId), 'keys with a final session').toBeGreaterThan(50);
      // a batch run is never resumed from its end, where every session became final: no frontier is kept
      expect(await storedFrontiers(jobId)).toEqual(new Map());
    }
    expect(problems).toEqual([]);
  });
});
