import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { loadStackConfig } from '@lk/common';
import { Database, ReplayRuns, StreamJobStore } from '@lk/store';

/**
 * lambda_view and kappa_view on hand-made rows: Lambda takes the latest completed batch run's row where that
 * run covers the window (window_end + allowedLateness <= the run's horizon for the window's partition), the
 * serving speed version's row otherwise; Kappa is the serving version; cancelled runs never count.
 */
const database = new Database(loadStackConfig().databaseUrl);
const runs = new ReplayRuns(database);
const pipeline = `views_${randomUUID().slice(0, 8)}`;
const definition = { name: pipeline, allowedLateness: 10_000 };

afterAll(async () => {
  await new StreamJobStore(database).deleteJobs(`speed:${pipeline}:`);
  for (const id of ['r1', 'r2', 'r3', 'r4'])
    await new StreamJobStore(database).deleteJobs(`batch:${pipeline}-${id}`);
  await database.query('delete from replay_runs where pipeline = $1', [pipeline]);
  await database.query('delete from serving_versions where pipeline = $1', [pipeline]);
  await database.close();
});

async function row(
  jobId: string,
  partition: number,
  key: string,
  end: number,
  events: number,
): Promise<void> {
  await database.query(
    `insert into window_results (job_id, pipeline, partition, key, window_start, window_end, values, revision, final)
     values ($1, $2, $3, $4, $5, $6, $7, 1, true)`,
    [jobId, pipeline, partition, key, end - 60_000, end, JSON.stringify({ events })],
  );
}

async function batchRun(
  id: string,
  status: 'completed' | 'cancelled',
  horizons: (number | null)[],
  finishedAt: string,
  from = 'earliest',
) {
  const runId = `${pipeline}-${id}`;
  await runs.create({
    id: runId,
    mode: 'batch',
    pipeline,
    version: null,
    jobId: `batch:${runId}`,
    groupId: `lk-batch-${runId}`,
    topic: 't',
    from,
    definition,
    partitions: horizons.map((_, partition) => ({ partition, startOffset: 0, endOffset: 10 })),
  });
  for (const [partition, horizon] of horizons.entries())
    await database.query(
      'update replay_partitions set done = true, horizon = $3 where run_id = $1 and partition = $2',
      [runId, partition, horizon],
    );
  await database.query('update replay_runs set status = $2, finished_at = $3 where id = $1', [
    runId,
    status,
    finishedAt,
  ]);
  return `batch:${runId}`;
}

type ViewRow = {
  key: string;
  window_end: string;
  values: { events: number };
  source?: string;
  run_id?: string;
  version: number;
};

const lambda = async () =>
  (
    await database.query<ViewRow>(
      'select key, window_end, values, source, run_id, version from lambda_view where pipeline = $1 order by key, window_end',
      [pipeline],
    )
  ).map((r) => `${r.key}@${r.window_end}:${r.values.events} ${r.source} ${r.run_id ?? `v${r.version}`}`);

const kappa = async () =>
  (
    await database.query<ViewRow>(
      'select key, window_end, values, version from kappa_view where pipeline = $1 order by key, window_end',
      [pipeline],
    )
  ).map((r) => `${r.key}@${r.window_end}:${r.values.events} v${r.version}`);

describe('lambda_view and kappa_view', () => {
  it('take batch rows where a completed run covers the window, the serving speed version elsewhere', async () => {
    await database.query(
      `insert into job_definitions (job_id, pipeline, version, definition) values ($1, $2, 1, $3), ($4, $2, 2, $3)`,
      [`speed:${pipeline}:v1`, pipeline, JSON.stringify(definition), `speed:${pipeline}:v2`],
    );
    const v1 = `speed:${pipeline}:v1`;
    await row(v1, 0, 'a', 60_000, 1);
    await row(v1, 0, 'a', 120_000, 2);
    await row(v1, 0, 'a', 180_000, 3);
    await row(v1, 1, 'b', 60_000, 4);
    // r1 covers partition 0 up to a horizon of 130 000 (windows ending by 120 000); partition 1 had no event
    const r1 = await batchRun('r1', 'completed', [130_000, null], '2026-11-28T10:00:00Z');
    await row(r1, 0, 'a', 60_000, 10);
    await row(r1, 0, 'a', 120_000, 20);
    await row(r1, 1, 'b', 60_000, 40);
    // a cancelled run's rows never count, whatever its horizon; nor a run that started at a time (--from)
    const r3 = await batchRun('r3', 'cancelled', [900_000, 900_000], '2026-11-28T12:00:00Z');
    await row(r3, 0, 'a', 180_000, 99);
    const r4 = await batchRun(
      'r4',
      'completed',
      [900_000, 900_000],
      '2026-11-28T12:00:00Z',
      '2026-01-01T00:00:00Z',
    );
    await row(r4, 0, 'a', 180_000, 98);
    expect(await lambda()).toEqual([
      `a@60000:10 batch ${pipeline}-r1`,
      `a@120000:20 batch ${pipeline}-r1`,
      'a@180000:3 speed v1',
      'b@60000:4 speed v1',
    ]);
    // a later completed run covering a@60000 again wins there
    const r2 = await batchRun('r2', 'completed', [70_000, 70_000], '2026-11-28T11:00:00Z');
    await row(r2, 0, 'a', 60_000, 11);
    await row(r2, 1, 'b', 60_000, 41);
    expect(await lambda()).toEqual([
      `a@60000:11 batch ${pipeline}-r2`,
      `a@120000:20 batch ${pipeline}-r1`,
      'a@180000:3 speed v1',
      `b@60000:41 batch ${pipeline}-r2`,
    ]);
    expect(await kappa()).toEqual(['a@60000:1 v1', 'a@120000:2 v1', 'a@180000:3 v1', 'b@60000:4 v1']);
  });

  it('follow a cutover: Kappa and the speed part of Lambda switch to the serving version', async () => {
    const v2 = `speed:${pipeline}:v2`;
    await row(v2, 0, 'a', 180_000, 5);
    await row(v2, 0, 'a', 240_000, 6);
    await runs.cutover(pipeline, 2, null);
    expect(await kappa()).toEqual(['a@180000:5 v2', 'a@240000:6 v2']);
    expect((await lambda()).filter((r) => r.includes('speed'))).toEqual([
      'a@180000:5 speed v2',
      'a@240000:6 speed v2',
    ]);
  });
});
