import { describe, expect, it } from 'vitest';
import { KeyedWindowOperator, validatePipelines, type Pipeline } from '@lk/operators';
import type { ClaimedPartition, StreamFlush, WindowRow } from '@lk/store';
import { buildFlush, type FlushTarget, type PartitionDrain } from '@lk/streaming';
import { restoredSnapshot } from '@lk/streaming';

/**
 * The speed job persists incrementally: each flush writes only the windows that changed (with their
 * accumulators), and a partition is restored from its open rows, its max event time and (sessions) its key
 * frontiers. This runs the pure part of that cycle against an in-memory table shaped like Postgres's, and
 * checks that crashing at arbitrary flush points and resuming gives exactly the uninterrupted results.
 */
interface Event {
  user: string;
  ts: number;
  amount: number;
  kind: string;
}

const windows = {
  tumbling: { type: 'tumbling', size: '1m' },
  sliding: { type: 'sliding', size: '5m', slide: '1m' },
  session: { type: 'session', gap: '2m' },
} as const;

function pipelineOf(window: (typeof windows)[keyof typeof windows]): Pipeline {
  return validatePipelines([
    {
      name: 'p',
      source: 'events',
      key: 'user',
      time: 'ts',
      window,
      watermark: { maxOutOfOrderness: '10s' },
      allowedLateness: '30s',
      aggregations: [
        { name: 'events', fn: 'count' },
        { name: 'amount_sum', fn: 'sum', field: 'amount' },
        { name: 'amount_avg', fn: 'avg', field: 'amount' },
        { name: 'kinds', fn: 'count_distinct', field: 'kind' },
        { name: 'amount_max', fn: 'max', field: 'amount' },
      ],
    },
  ])[0]!;
}

/** A seeded log of 4 partitions: keys stick to a partition, times wander with disorder and late stragglers. */
function logOf(seed: number, count: number): { partition: number; offset: number; event: Event }[] {
  let state = seed >>> 0 || 1;
  const random = (): number => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
  const offsets = [0, 0, 0, 0];
  const clock = [0, 0, 0, 0];
  const log: { partition: number; offset: number; event: Event }[] = [];
  for (let i = 0; i < count; i++) {
    const userId = Math.floor(random() * 12);
    const partition = userId % 4;
    clock[partition]! += Math.floor(random() * 20_000);
    const late = random() < 0.05 ? Math.floor(random() * 300_000) : Math.floor(random() * 8_000);
    log.push({
      partition,
      offset: offsets[partition]!++,
      event: {
        user: `u${userId}`,
        ts: clock[partition]! - late,
        amount: Math.round(random() * 100_000) / 100,
        kind: ['view', 'click', 'buy'][Math.floor(random() * 3)]!,
      },
    });
  }
  return log;
}

/** window_results / partition_state / session_frontiers of one job, applied like the store applies a flush. */
class Table {
  readonly rows = new Map<string, WindowRow>();
  readonly late: string[] = [];
  readonly frontiers = new Map<string, number>();
  readonly progress = new Map<number, { nextOffset: number; maxEventTime: number | null }>();

  apply(flush: StreamFlush): void {
    for (const r of flush.retractions) this.rows.delete(`${r.key}|${r.windowStart}|${r.windowEnd}`);
    for (const c of flush.changes) this.rows.set(`${c.key}|${c.windowStart}|${c.windowEnd}`, c);
    for (const l of flush.late) this.late.push(`${l.partition}@${l.offset}|${l.windowStart}|${l.windowEnd}`);
    for (const f of flush.frontiers) {
      const id = `${f.partition}|${f.key}`;
      this.frontiers.set(id, Math.max(this.frontiers.get(id) ?? -Infinity, f.frontier));
    }
    for (const p of flush.partitions) this.progress.set(p.partition, p);
  }

  claim(partition: number): ClaimedPartition {
    const progress = this.progress.get(partition);
    const open = [...this.rows.values()]
      .filter((row) => row.partition === partition && !row.final)
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : b.windowStart - a.windowStart));
    return {
      partition,
      epoch: 1,
      nextOffset: progress?.nextOffset ?? 0,
      maxEventTime: progress?.maxEventTime ?? null,
      openWindows: open,
      frontiers: [...this.frontiers]
        .filter(([id]) => id.startsWith(`${partition}|`))
        .map(([id, frontier]) => [id.slice(id.indexOf('|') + 1), frontier]),
    };
  }

  results(): string[] {
    return [...this.rows.values()]
      .map(
        (r) =>
          `${r.key}|${r.windowStart}|${r.windowEnd}|${JSON.stringify(r.values)}|${r.revision}|${r.final}`,
      )
      .sort();
  }
}

function flushInto(table: Table, operator: KeyedWindowOperator<Event>, pipeline: Pipeline): void {
  const target: FlushTarget = {
    jobId: 'speed:p:v1',
    pipeline: 'p',
    topic: 'events',
    sessions: pipeline.window.type === 'session',
    frontiers: pipeline.window.type === 'session',
  };
  const drains: PartitionDrain<Event>[] = operator.partitionIds().map((partition) => {
    const watermark = operator.watermark(partition);
    return {
      operator,
      progress: {
        partition,
        epoch: 1,
        nextOffset: operator.nextOffset(partition) ?? 0,
        watermark: Number.isFinite(watermark) ? watermark : null,
        maxEventTime: Number.isFinite(watermark) ? watermark + pipeline.watermark.maxOutOfOrderness : null,
      },
    };
  });
  table.apply(buildFlush(target, drains));
}

function run(
  pipeline: Pipeline,
  log: ReturnType<typeof logOf>,
  crashes: Set<number>,
  flushEvery: number,
): Table {
  const table = new Table();
  const fresh = (): KeyedWindowOperator<Event> =>
    new KeyedWindowOperator<Event>(pipeline, { mode: 'stream', emitAccumulators: true });
  let operator = fresh();
  let flushes = 0;
  for (let i = 0; i < log.length; i++) {
    const { partition, offset, event } = log[i]!;
    operator.process(event, partition, offset);
    if ((i + 1) % flushEvery !== 0) continue;
    flushInto(table, operator, pipeline);
    if (crashes.has(++flushes)) {
      // a crash after this flush loses what came after it: a new operator resumes every partition from the table
      operator = fresh();
      for (const partition of [0, 1, 2, 3]) {
        const claimed = table.claim(partition);
        if (claimed.nextOffset === 0 && claimed.maxEventTime === null) continue;
        operator.restorePartition(
          restoredSnapshot(
            operator.snapshotPartition(partition),
            claimed,
            pipeline.window.type === 'session',
          ),
        );
      }
      // and the log is read again from the start: offsets below each partition's next offset are skipped
      for (const record of log) operator.process(record.event, record.partition, record.offset);
      break;
    }
  }
  flushInto(table, operator, pipeline);
  return table;
}

describe('incremental persistence: flush rows, restore from open rows', () => {
  for (const [name, window] of Object.entries(windows)) {
    it(`${name}: crashing after arbitrary flushes and resuming from the rows gives the uninterrupted results`, () => {
      const pipeline = pipelineOf(window);
      for (const seed of [1, 7, 42, 1234]) {
        const log = logOf(seed, 3_000);
        const expected = run(pipeline, log, new Set(), 97);
        for (const crashAt of [1, 3, 10, 25]) {
          const resumed = run(pipeline, log, new Set([crashAt]), 97);
          expect(resumed.results(), `${name} seed ${seed} crash after flush ${crashAt}`).toEqual(
            expected.results(),
          );
          expect([...resumed.late].sort()).toEqual([...expected.late].sort());
        }
        expect(expected.late.length, 'the log has late events').toBeGreaterThan(0);
      }
    });
  }
});
