import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadStackConfig } from '@lk/common';
import {
  Database,
  JobDefinitionConflictError,
  JobDefinitions,
  KeyOnTwoPartitionsError,
  migrate,
  StreamJobStore,
  type StreamFlush,
} from '@lk/store';

const database = new Database(loadStackConfig().databaseUrl);
const store = new StreamJobStore(database);
const jobId = `speed:store_test_${randomUUID().slice(0, 8)}:v1`;
const topic = 'store-test';

beforeAll(async () => {
  await migrate(database);
});

afterAll(async () => {
  await store.deleteJobs(jobId);
  await database.close();
});

function flushOf(epoch: number, partition: number, overrides: Partial<StreamFlush> = {}): StreamFlush {
  return {
    jobId,
    pipeline: 'p',
    topic,
    changes: [
      {
        partition,
        key: `k${partition}`,
        windowStart: 0,
        windowEnd: 60_000,
        values: { events: 2 },
        revision: 2,
        final: false,
        accumulators: [2],
      },
      {
        partition,
        key: `k${partition}`,
        windowStart: -60_000,
        windowEnd: 0,
        values: { events: 1 },
        revision: 2,
        final: true,
        accumulators: null,
      },
    ],
    retractions: [],
    late: [
      {
        partition,
        offset: 7,
        key: `k${partition}`,
        windowStart: -120_000,
        windowEnd: -60_000,
        watermark: 5_000,
        event: { user_id: `k${partition}`, ts: -100_000 },
      },
    ],
    frontiers: [{ partition, key: `k${partition}`, frontier: 0 }],
    partitions: [{ partition, epoch, nextOffset: 10, maxEventTime: 15_000, watermark: 5_000 }],
    ...overrides,
  };
}

describe('StreamJobStore', () => {
  it('claims a fresh partition at offset 0 and resumes a flushed one from its open windows only', async () => {
    const fresh = await store.claimPartition(jobId, 'p', topic, 0);
    expect(fresh).toMatchObject({
      epoch: 1,
      nextOffset: 0,
      maxEventTime: null,
      openWindows: [],
      frontiers: [],
    });
    const outcome = await store.flush(flushOf(fresh.epoch, 0));
    expect(outcome).toEqual({ written: [0], fenced: [] });
    const resumed = await store.claimPartition(jobId, 'p', topic, 0);
    expect(resumed.epoch).toBe(2);
    expect(resumed.nextOffset).toBe(10);
    expect(resumed.maxEventTime).toBe(15_000);
    expect(resumed.openWindows.map((w) => [w.key, w.windowStart, w.revision, w.accumulators])).toEqual([
      ['k0', 0, 2, [2]],
    ]);
    expect(resumed.frontiers).toEqual([['k0', 0]]);
  });

  it('fences a writer whose partition was claimed by another owner, writing nothing of that partition', async () => {
    const first = await store.claimPartition(jobId, 'p', topic, 1);
    const other = await store.claimPartition(jobId, 'p', topic, 2);
    await store.claimPartition(jobId, 'p', topic, 1); // a new owner takes partition 1
    const combined = flushOf(first.epoch, 1);
    const second = flushOf(other.epoch, 2);
    const outcome = await store.flush({
      ...combined,
      changes: [...combined.changes, ...second.changes],
      late: [...combined.late, ...second.late],
      frontiers: [...combined.frontiers, ...second.frontiers],
      partitions: [...combined.partitions, ...second.partitions],
    });
    expect(outcome).toEqual({ written: [2], fenced: [1] });
    const rows = await database.query<{ partition: number }>(
      'select distinct partition from window_results where job_id = $1 and partition in (1, 2)',
      [jobId],
    );
    expect(rows.map((r) => r.partition)).toEqual([2]);
    const late = await database.query('select 1 from late_events where job_id = $1 and partition = 1', [
      jobId,
    ]);
    expect(late).toHaveLength(0);
    const state = await database.query<{ next_offset: string }>(
      'select next_offset from partition_state where job_id = $1 and partition = 1',
      [jobId],
    );
    expect(state[0]!.next_offset).toBe('0');
  });

  it('deletes retracted windows and stores everything of a flush or nothing', async () => {
    const claim = await store.claimPartition(jobId, 'p', topic, 3);
    await store.flush(flushOf(claim.epoch, 3));
    await store.flush(
      flushOf(claim.epoch, 3, {
        changes: [],
        late: [],
        frontiers: [],
        retractions: [{ partition: 3, key: 'k3', windowStart: 0, windowEnd: 60_000 }],
      }),
    );
    const left = await database.query<{ window_start: string }>(
      'select window_start from window_results where job_id = $1 and partition = 3',
      [jobId],
    );
    expect(left.map((r) => r.window_start)).toEqual(['-60000']);
    // a broken row fails the whole transaction: the offset does not move
    await expect(
      store.flush(
        flushOf(claim.epoch, 3, {
          partitions: [{ partition: 3, epoch: claim.epoch, nextOffset: 99, maxEventTime: 1, watermark: 1 }],
          late: [
            {
              partition: 3,
              offset: 1,
              key: null as unknown as string,
              windowStart: 0,
              windowEnd: 1,
              watermark: 0,
              event: {},
            },
          ],
        }),
      ),
    ).rejects.toThrow(/null value/);
    const state = await database.query<{ next_offset: string }>(
      'select next_offset from partition_state where job_id = $1 and partition = 3',
      [jobId],
    );
    expect(state[0]!.next_offset).toBe('10');
  });
});

describe('StreamJobStore.deleteJobs', () => {
  it("deletes every row of the jobs with the prefix from every job table, and no other job's", async () => {
    const prefix = `speed:delete_test_${randomUUID().slice(0, 8)}`;
    const doomed = `${prefix}:v1`;
    const kept = `${prefix}x:v1`;
    for (const id of [doomed, kept]) {
      const claimed = await store.claimPartition(id, 'p', topic, 0);
      expect(await store.flush({ ...flushOf(claimed.epoch, 0), jobId: id })).toEqual({
        written: [0],
        fenced: [],
      });
    }
    const rowsOf = async (id: string) => {
      const counts: number[] = [];
      for (const table of ['window_results', 'late_events', 'partition_state'])
        counts.push(
          Number(
            (
              await database.query<{ n: string }>(`select count(*) as n from ${table} where job_id = $1`, [
                id,
              ])
            )[0]!.n,
          ),
        );
      return counts;
    };
    expect((await rowsOf(doomed)).every((n) => n > 0)).toBe(true);
    await store.deleteJobs(`${prefix}:`);
    expect(await rowsOf(doomed)).toEqual([0, 0, 0]);
    expect((await rowsOf(kept)).every((n) => n > 0)).toBe(true);
    await store.deleteJobs(kept);
    expect(await rowsOf(kept)).toEqual([0, 0, 0]);
  });
});

describe('StreamJobStore.flush alongside', () => {
  it('gets only the owned rows, and a failure there rolls the whole flush back', async () => {
    const claim = await store.claimPartition(jobId, 'p', topic, 4);
    const seen: number[][] = [];
    await store.flush(flushOf(claim.epoch, 4), async (owned) => {
      seen.push(owned.partitions.map((p) => p.partition));
    });
    expect(seen).toEqual([[4]]);
    const failing = store.flush(
      flushOf(claim.epoch, 4, {
        partitions: [{ partition: 4, epoch: claim.epoch, nextOffset: 50, maxEventTime: 1, watermark: 1 }],
      }),
      async () => {
        throw new Error('results topic refused the send');
      },
    );
    await expect(failing).rejects.toThrow(/results topic refused/);
    const state = await database.query<{ next_offset: string }>(
      'select next_offset from partition_state where job_id = $1 and partition = 4',
      [jobId],
    );
    expect(state[0]!.next_offset, 'the failed flush moved nothing').toBe('10');
  });
});

describe('JobDefinitions', () => {
  it('records a definition once and refuses another under the same job id, naming the difference', async () => {
    const definitions = new JobDefinitions(database);
    const definition = {
      name: 'p',
      window: { type: 'tumbling', size: 60_000 },
      aggregations: [{ name: 'events', fn: 'count' }],
    };
    await definitions.record(jobId, 'p', 1, definition);
    await expect(definitions.record(jobId, 'p', 1, { ...definition })).resolves.toMatchObject({ version: 1 });
    const changed = { ...definition, window: { type: 'tumbling', size: 120_000 } };
    const refusal = await definitions.record(jobId, 'p', 1, changed).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(JobDefinitionConflictError);
    expect((refusal as JobDefinitionConflictError).differences).toEqual(['window.size: 60000 -> 120000']);
  });
});

describe('StreamJobStore session frontiers with stateRetention', () => {
  const retention = 100;
  const other = `${jobId}-other`;

  /** a flush of frontiers only, recording `watermark` for each of `partitions` */
  function frontierFlush(
    job: string,
    epochs: Map<number, number>,
    watermark: number | null,
    frontiers: StreamFlush['frontiers'],
    stateRetention: number | null = retention,
  ): StreamFlush {
    return {
      jobId: job,
      pipeline: 'p',
      topic,
      changes: [],
      retractions: [],
      late: [],
      frontiers,
      partitions: [...epochs].map(([partition, epoch]) => ({
        partition,
        epoch,
        nextOffset: 1,
        maxEventTime: watermark === null ? null : watermark + 10,
        watermark,
      })),
      ...(stateRetention !== null && { stateRetention }),
    };
  }

  /** the job's frontier rows of partitions 10 and up (the tests above use 0–4) */
  async function rows(job: string): Promise<string[]> {
    const found = await database.query<{ partition: number; key: string; frontier: string }>(
      `select partition, key, frontier from session_frontiers where job_id = $1 and partition >= 10
       order by partition, key`,
      [job],
    );
    return found.map((row) => `${row.partition}|${row.key}|${row.frontier}`);
  }

  it('deletes the rows of the flushed partitions with frontier + R <= their watermark, and nothing else', async () => {
    const claims = new Map<number, number>();
    for (const partition of [10, 11, 12])
      claims.set(partition, (await store.claimPartition(jobId, 'p', topic, partition)).epoch);
    const otherEpoch = (await store.claimPartition(other, 'p', topic, 10)).epoch;
    const keys = (partition: number) =>
      [100, 199, 200, 201].map((frontier) => ({ partition, key: `f${frontier}`, frontier }));
    // no watermark yet: the rows go in, nothing is pruned
    await store.flush(frontierFlush(jobId, claims, null, [...keys(10), ...keys(11), ...keys(12)]));
    await store.flush(frontierFlush(other, new Map([[10, otherEpoch]]), null, keys(10)));
    const before = await rows(jobId);
    expect(before).toHaveLength(12);

    // partition 12 is claimed by another owner meanwhile: this writer's flush of it is fenced
    await store.claimPartition(jobId, 'p', topic, 12);
    const outcome = await store.flush(
      frontierFlush(
        jobId,
        new Map([
          [10, claims.get(10)!],
          [12, claims.get(12)!],
        ]),
        300,
        // finalized in this flush but beyond the horizon already (the watermark jumped): not kept either
        [{ partition: 10, key: 'fresh-but-gone', frontier: 150 }],
      ),
    );
    expect(outcome.fenced).toEqual([12]);
    expect(await rows(jobId)).toEqual([
      '10|f201|201', // 201 + 100 > 300; 200 + 100 = 300 is the horizon itself
      ...before.filter((row) => !row.startsWith('10|')), // 11 was not flushed, 12 was fenced
    ]);
    expect(await rows(other), 'another job').toEqual([
      '10|f100|100',
      '10|f199|199',
      '10|f200|200',
      '10|f201|201',
    ]);
  });

  it('without stateRetention a flush keeps every frontier row', async () => {
    const epoch = (await store.claimPartition(jobId, 'p', topic, 13)).epoch;
    const frontiers = [0, 500].map((frontier) => ({ partition: 13, key: `g${frontier}`, frontier }));
    await store.flush(frontierFlush(jobId, new Map([[13, epoch]]), 10_000, frontiers, null));
    expect(await rows(jobId)).toEqual(expect.arrayContaining(['13|g0|0', '13|g500|500']));
  });

  it('a claim with stateRetention reads only the frontiers above the horizon of the stored watermark', async () => {
    const epoch = (await store.claimPartition(jobId, 'p', topic, 14)).epoch;
    await store.flush(
      frontierFlush(
        jobId,
        new Map([[14, epoch]]),
        1_000,
        [950, 901, 900].map((frontier) => ({ partition: 14, key: `h${frontier}`, frontier })),
        null, // written without pruning, as before it existed
      ),
    );
    const all = await store.claimPartition(jobId, 'p', topic, 14);
    expect(new Map(all.frontiers)).toEqual(
      new Map([
        ['h950', 950],
        ['h901', 901],
        ['h900', 900],
      ]),
    );
    const live = await store.claimPartition(jobId, 'p', topic, 14, retention);
    expect(new Map(live.frontiers)).toEqual(
      new Map([
        ['h950', 950],
        ['h901', 901],
      ]),
    );
  });
});

describe('a key whose events are on two partitions (a topic not partitioned by the pipeline key)', () => {
  const keyOn = (partition: number, epoch: number, key: string): StreamFlush => {
    const flush = flushOf(epoch, partition);
    return {
      ...flush,
      changes: flush.changes.map((row) => ({ ...row, key })),
      late: [],
      frontiers: [],
    };
  };

  it('is refused, naming the key and both partitions, not overwritten: in one flush and across flushes', async () => {
    const key = `shared-${randomUUID().slice(0, 8)}`;
    const first = await store.claimPartition(jobId, 'p', topic, 20);
    const second = await store.claimPartition(jobId, 'p', topic, 21);
    await store.flush(keyOn(20, first.epoch, key));
    const across = await store.flush(keyOn(21, second.epoch, key)).catch((error: unknown) => error);
    expect(across).toBeInstanceOf(KeyOnTwoPartitionsError);
    expect((across as Error).message).toMatch(new RegExp(`key "${key}" has events on partitions 20 and 21`));
    const both = keyOn(20, first.epoch, `${key}-b`);
    const inOne = await store
      .flush({
        ...both,
        changes: [...both.changes, ...keyOn(21, second.epoch, `${key}-b`).changes],
        partitions: [...both.partitions, ...keyOn(21, second.epoch, key).partitions],
      })
      .catch((error: unknown) => error);
    expect(inOne).toBeInstanceOf(KeyOnTwoPartitionsError);
    // the first partition's rows are as it wrote them
    const rows = await database.query<{ partition: number }>(
      'select partition from window_results where job_id = $1 and key = $2',
      [jobId, key],
    );
    expect(rows.map((row) => row.partition)).toEqual([20, 20]);
  });
});
