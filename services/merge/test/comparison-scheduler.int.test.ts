import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { loadStackConfig } from '@lk/common';
import { validatePipelines } from '@lk/operators';
import { Database } from '@lk/store';
import { ComparisonScheduler } from '../src/comparisons/comparison-scheduler';
import type { MergeConfig } from '../src/config/merge-config';
import { MergeMetrics } from '../src/metrics/merge-metrics';

/**
 * The scheduler against real Postgres shared with other stacks: it compares the completed replays of its own
 * pipelines, and leaves a replay of a pipeline it is not configured with to that pipeline's merge service.
 */
const stack = loadStackConfig();
const database = new Database(stack.databaseUrl);
const suffix = randomUUID().slice(0, 8);
const own = `sched_${suffix}_own`;
const foreign = `sched_${suffix}_foreign`;
const names = [own, foreign];

afterAll(async () => {
  await database.query('delete from comparisons where pipeline = any($1)', [names]);
  await database.query('delete from replay_runs where pipeline = any($1)', [names]);
  await database.close();
});

/** A completed batch run of `pipeline` (no results: the comparison is recorded as not possible). */
async function completedRun(pipeline: string, finishedSecondsAgo: number): Promise<string> {
  const runId = `sch${randomUUID().slice(0, 8)}`;
  const [definition] = validatePipelines([
    {
      name: pipeline,
      source: `lk-sched-${suffix}`,
      key: 'user_id',
      time: 'ts',
      window: { type: 'tumbling', size: '1m' },
      watermark: { maxOutOfOrderness: '10s' },
      allowedLateness: '1m',
      aggregations: [{ name: 'events', fn: 'count' }],
    },
  ]);
  await database.query(
    `insert into replay_runs (id, mode, pipeline, job_id, group_id, topic, from_spec, definition, status,
                              started_at, finished_at)
     values ($1, 'batch', $2, $3, $4, $5, 'earliest', $6, 'completed',
             now() - ($7::int + 1) * interval '1 second', now() - $7::int * interval '1 second')`,
    [
      runId,
      pipeline,
      `batch:${runId}`,
      `lk-batch-${runId}`,
      definition!.source,
      JSON.stringify(definition),
      finishedSecondsAgo,
    ],
  );
  return runId;
}

const triggers = async (pipeline: string): Promise<string[]> =>
  (
    await database.query<{ trigger: string }>('select trigger from comparisons where pipeline = $1', [
      pipeline,
    ])
  ).map((row) => row.trigger);

describe('ComparisonScheduler', () => {
  it("compares its own pipelines' completed replays and leaves a foreign pipeline's run alone", async () => {
    // the foreign run finished first: a scheduler that took every run would have compared it before ours
    const foreignRun = await completedRun(foreign, 60);
    const ownRun = await completedRun(own, 30);
    const config: MergeConfig = {
      stack: { databaseUrl: stack.databaseUrl, kafkaBrokers: stack.kafkaBrokers },
      pipelines: [own],
      compareIntervalMs: 0,
      pollIntervalMs: 100,
    };
    const scheduler = new ComparisonScheduler(config, new MergeMetrics());
    scheduler.onApplicationBootstrap();
    try {
      const deadline = Date.now() + 30_000;
      while (!(await triggers(own)).includes(`replay:${ownRun}`) && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 100));
    } finally {
      await scheduler.onModuleDestroy();
    }
    expect(await triggers(own)).toEqual([`replay:${ownRun}`]);
    expect(await triggers(foreign)).toEqual([]);
    expect(
      await database.query('select id from comparisons where trigger = $1', [`replay:${foreignRun}`]),
    ).toEqual([]);
  });
});
