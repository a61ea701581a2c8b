import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReplayRuns, type ReplayPartition } from '@lk/store';
import { SpeedScenario } from '../src/support/speed-scenario';
import { expectGroundTruth } from './support/expect-ground-truth';
import type { ServiceProcess } from '../src/support/service-process';

/**
 * Replays of retained history on the batch workers against the real stack (Kafka, registry, Postgres,
 * Redis/BullMQ): a Lambda batch run equals `lk-window --mode batch` on the generator's JSONL, a Kappa replay
 * equals the live v1 speed results row for row and takes over serving at cutover, a what-if replay equals
 * `lk-window --mode stream` with the changed definition — also with a worker killed mid-run.
 */
const scenario = new SpeedScenario('replay-e2e');
const runs = new ReplayRuns(scenario.database);
const workers: ServiceProcess[] = [];

const runIdOf = (stdout: string): string => stdout.split('\n')[0]!.trim();

beforeAll(async () => {
  await scenario.createTopics();
  expect(await scenario.generate(40_000, 20_000, { seed: 23, start: '2026-04-01T00:00:00Z' })).toBe(0);
  workers.push(
    scenario.startBatch({ BATCH_CONCURRENCY: '3' }),
    scenario.startBatch({ BATCH_CONCURRENCY: '3' }),
  );
  await Promise.all(workers.map((worker) => worker.waitForLog('replay worker started')));
}, 120_000);
afterAll(() => scenario.cleanup());

describe('replays on the batch workers', () => {
  it('a batch run equals lk-window --mode batch row for row (tumbling, sliding, session), nothing late', async () => {
    for (const pipeline of scenario.pipelines) {
      const { code, stdout, stderr } = await scenario.replayCli([
        '--mode',
        'batch',
        '--pipeline',
        pipeline.name,
        '--wait',
      ]);
      expect(code, stderr).toBe(0);
      const runId = runIdOf(stdout);
      expect(stdout).toContain(`${runId} completed`);
      const run = (await runs.get(runId))!;
      expect(run.status).toBe('completed');
      expect(run.groupId).toBe(`lk-batch-${runId}`);
      expect(run.partitions.every((p) => p.done && p.nextOffset === p.endOffset)).toBe(true);
      // the run's group holds its progress, for standard lag tools: at the end, the snapshot's end offsets
      const admin = scenario.kafka.admin();
      await admin.connect();
      const committed = await admin.committedOffsets(run.groupId, scenario.topic);
      await admin.disconnect();
      expect(run.partitions.map((p) => committed.get(p.partition))).toEqual(
        run.partitions.map((p) => BigInt(p.endOffset)),
      );
      const { stored, expected } = await expectGroundTruth(scenario, pipeline, `batch:${runId}`, 'batch');
      expect(stored.every((row) => row.final)).toBe(true);
      expect(expected.late).toEqual([]);
      expect(expected.results.length).toBeGreaterThan(1000);
    }
  });

  it('a worker killed with SIGKILL mid-partition: the job is retried, resumes from its last flush, exact', async () => {
    const pipeline = scenario.pipelines[2]!; // sessions: merges and retractions across flushes
    // the run is queued first, then taken by one worker, one partition at a time, flushing often
    await Promise.all(workers.splice(0).map((worker) => worker.stop('SIGTERM')));
    const replay = scenario.replayCli(['--mode', 'batch', '--pipeline', pipeline.name, '--wait']);
    const slow = scenario.startBatch({
      BATCH_CONCURRENCY: '1',
      BATCH_FLUSH_INTERVAL_MS: '10',
      BATCH_FETCH_MAX_BYTES: '4096',
    });
    const midway = (p: ReplayPartition): boolean =>
      p.nextOffset > p.startOffset &&
      !p.done &&
      2 * (p.endOffset - p.nextOffset) >= p.endOffset - p.startOffset;
    const runId = await new Promise<string>((resolve, reject) => {
      const started = Date.now();
      const poll = (): void => {
        const id = scenario.runIds.at(-1);
        void (async () => {
          const run = id ? await runs.get(id) : undefined;
          // a partition with flushed progress and at least half of its range still to read: the worker is in
          // the middle of it and still is when the kill lands (one seen near its end could be done by then,
          // on a loaded machine, and leave nothing interrupted)
          if (run?.partitions.some(midway)) return resolve(run.id);
          if (Date.now() - started > 60_000) return reject(new Error('no partition seen in progress'));
          setTimeout(poll, 5);
        })().catch(reject);
      };
      poll();
    });
    await slow.kill();
    const interrupted = (await runs.get(runId))!.partitions.filter(
      (p) => p.nextOffset > p.startOffset && !p.done,
    );
    workers.push(
      scenario.startBatch({ BATCH_CONCURRENCY: '3' }),
      scenario.startBatch({ BATCH_CONCURRENCY: '3' }),
    );
    const { code, stderr } = await replay;
    expect(code, stderr).toBe(0);
    expect(interrupted.length).toBeGreaterThan(0);
    // the interrupted partition's job was taken over (after its lock expired) and resumed from its last flush
    const resumed = workers
      .flatMap((worker) => worker.logLines())
      .filter(
        (line) => line.event === 'partition replay started' && line.run === runId && line.resumed === true,
      )
      .map((line) => line.partition);
    expect(resumed).toEqual(expect.arrayContaining(interrupted.map((p) => p.partition)));
    await expectGroundTruth(scenario, pipeline, `batch:${runId}`, 'batch');
    for (const worker of workers)
      expect(worker.logLines().filter((line) => line.level === 'error')).toEqual([]);
  });

  it('a kappa replay equals the live v1 results row for row; after cutover v2 serves', async () => {
    const speed = scenario.startSpeed(1);
    await scenario.caughtUp(1);
    expect(await speed.stop('SIGTERM')).toBe(0);
    const pipeline = scenario.pipelines[0]!;
    const { code, stdout, stderr } = await scenario.replayCli([
      '--mode',
      'kappa',
      '--pipeline',
      pipeline.name,
      '--wait',
    ]);
    expect(code, stderr).toBe(0);
    const runId = runIdOf(stdout);
    const run = (await runs.get(runId))!;
    expect(run.version).toBe(2);
    expect(run.jobId).toBe(`speed:${pipeline.name}:v2`);
    expect(run.groupId).toBe(`lk-speed-${pipeline.name}-v2`);
    const v1 = await scenario.storedResults(pipeline, 1);
    expect(scenario.differingRows(pipeline, await scenario.storedResults(pipeline, 2), v1)).toEqual([]);
    expect(await scenario.storedLate(pipeline, 2)).toEqual(await scenario.storedLate(pipeline, 1));
    expect((await scenario.storedLate(pipeline, 2)).length).toBeGreaterThan(0);

    const cutover = await scenario.replayCli(['cutover', runId]);
    expect(cutover.code, cutover.stderr).toBe(0);
    expect(cutover.stdout).toContain(`version 2 serves`);
    expect((await runs.serving(pipeline.name))?.version).toBe(2);

    // the live speed instance of v2 continues from the replay's stored offsets and state: no gap, no overlap
    expect(await scenario.generate(5_000, 10_000, { seed: 24, start: '2026-04-01T00:30:00Z' })).toBe(0);
    const v2 = scenario.startSpeed(2, { SPEED_PIPELINES: pipeline.name });
    const total = await scenario.endOffsetTotal();
    for (let i = 0; ; i++) {
      const consumed = (await scenario.store.consumed([scenario.jobId(pipeline, 2)])).get(
        scenario.jobId(pipeline, 2),
      );
      if (consumed === total) break;
      if (i > 600) throw new Error(`v2 did not catch up: ${consumed} of ${total}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(await v2.stop('SIGTERM')).toBe(0);
    await expectGroundTruth(scenario, pipeline, scenario.jobId(pipeline, 2));
  });

  it('a what-if kappa replay with a longer allowed lateness: fewer late events, = lk-window with that definition', async () => {
    const pipeline = scenario.pipelines[0]!;
    const whatIfFile = join(scenario.dir, 'what-if.yaml');
    scenario.writePipelines(whatIfFile, (text) =>
      text.replace('allowedLateness: 1m', 'allowedLateness: 30m'),
    );
    const definitionFile = join(scenario.dir, 'what-if-one.yaml');
    const { parsePipelines } = await import('@lk/operators');
    const { readFileSync, writeFileSync } = await import('node:fs');
    const whatIf = parsePipelines(readFileSync(whatIfFile, 'utf8')).find((p) => p.name === pipeline.name)!;
    writeFileSync(
      definitionFile,
      JSON.stringify({
        name: whatIf.name,
        source: whatIf.source,
        key: whatIf.key,
        time: whatIf.time,
        window: { type: 'tumbling', size: '1m' },
        watermark: { maxOutOfOrderness: '10s' },
        allowedLateness: '30m',
        aggregations: [
          { name: 'events', fn: 'count' },
          { name: 'amount_sum', fn: 'sum', field: 'amount' },
          { name: 'amount_max', fn: 'max', field: 'amount' },
          { name: 'types', fn: 'count_distinct', field: 'event_type' },
        ],
      }),
    );
    const { code, stdout, stderr } = await scenario.replayCli([
      '--mode',
      'kappa',
      '--pipeline',
      pipeline.name,
      '--definition',
      definitionFile,
      '--wait',
    ]);
    expect(code, stderr).toBe(0);
    const run = (await runs.get(runIdOf(stdout)))!;
    expect(run.version).toBe(3);
    const expected = scenario.expectedByLkWindow(pipeline, { pipelinesFile: whatIfFile });
    const stored = await scenario.storedResults(pipeline, 3);
    expect(scenario.differingRows(pipeline, stored, expected.results)).toEqual([]);
    const late = await scenario.storedLate(pipeline, 3);
    expect(late).toEqual(expected.late);
    expect(late.length).toBeLessThan((await scenario.storedLate(pipeline, 2)).length);
  });
});

describe('replay runs: from a time, concurrency, re-runs, cancel', () => {
  it('a run --from a time reads each partition from its first record at or after it', async () => {
    const pipeline = scenario.pipelines[0]!;
    // the second generator run (in the kappa test) produced after the first: start at its first record
    const from = Math.min(...scenario.recordTimestamps(1));
    const { code, stdout, stderr } = await scenario.replayCli([
      '--mode',
      'batch',
      '--pipeline',
      pipeline.name,
      '--from',
      new Date(from).toISOString(),
      '--wait',
    ]);
    expect(code, stderr).toBe(0);
    const run = (await runs.get(runIdOf(stdout)))!;
    expect(run.from).toBe(new Date(from).toISOString());
    expect(run.partitions.reduce((sum, p) => sum + p.endOffset - p.startOffset, 0)).toBe(
      scenario.recordTimestamps(1).length,
    );
    const expected = scenario.expectedByLkWindow(pipeline, {
      mode: 'batch',
      records: (record) => record.timestamp >= from,
    });
    const stored = await scenario.storedResultsOf(`batch:${run.id}`);
    expect(scenario.differingRows(pipeline, stored, expected.results)).toEqual([]);
  });

  it('two runs at once do not interfere; re-running a completed run changes nothing', async () => {
    const [tumbling, sliding] = scenario.pipelines;
    const both = await Promise.all(
      [tumbling!, sliding!].map((pipeline) =>
        scenario.replayCli(['--mode', 'batch', '--pipeline', pipeline.name, '--wait']),
      ),
    );
    for (const [i, pipeline] of [tumbling!, sliding!].entries()) {
      expect(both[i]!.code, both[i]!.stderr).toBe(0);
      await expectGroundTruth(scenario, pipeline, `batch:${runIdOf(both[i]!.stdout)}`, 'batch');
    }
    const runId = runIdOf(both[0]!.stdout);
    const before = { run: await runs.get(runId), rows: await scenario.storedResultsOf(`batch:${runId}`) };
    const again = await scenario.replayCli(['rerun', runId, '--wait']);
    expect(again.code, again.stderr).toBe(0);
    expect(await scenario.storedResultsOf(`batch:${runId}`)).toEqual(before.rows);
    const after = (await runs.get(runId))!;
    expect(after.status).toBe('completed');
    expect(after.finishedAt).toEqual(before.run!.finishedAt);
    expect(after.partitions).toEqual(before.run!.partitions);
  });

  it('cancel stops the run promptly and leaves it cancelled, partly done', async () => {
    const pipeline = scenario.pipelines[1]!;
    await Promise.all(workers.splice(0).map((worker) => worker.stop('SIGTERM')));
    const started = await scenario.replayCli(['--mode', 'batch', '--pipeline', pipeline.name]);
    expect(started.code, started.stderr).toBe(0);
    const runId = runIdOf(started.stdout);
    const slow = scenario.startBatch({
      BATCH_CONCURRENCY: '1',
      BATCH_FLUSH_INTERVAL_MS: '10',
      BATCH_FETCH_MAX_BYTES: '4096',
    });
    workers.push(slow);
    for (let i = 0; !(await runs.get(runId))!.partitions.some((p) => p.nextOffset > p.startOffset); i++) {
      if (i > 3000) throw new Error('the run made no progress');
      await new Promise((r) => setTimeout(r, 10));
    }
    const cancelled = await scenario.replayCli(['cancel', runId]);
    expect(cancelled.code, cancelled.stderr).toBe(0);
    expect(cancelled.stdout).toContain(`${runId} cancelled`);
    // the running job stops at its next flush (every 10 ms); nothing moves afterwards. How long the stop
    // takes is not fixed on a loaded machine, so wait until the run has stood still for 2 s (a job reading
    // on moves it at every flush), within a bound of generous slack for that
    let settled = (await runs.get(runId))!;
    for (let stillSince = Date.now(), stopBy = Date.now() + 20_000; Date.now() - stillSince < 2_000;) {
      if (Date.now() > stopBy) throw new Error('the cancelled run did not stand still for 2 s within 20 s');
      await new Promise((r) => setTimeout(r, 200));
      const now = (await runs.get(runId))!;
      if (!isDeepStrictEqual(now.partitions, settled.partitions)) {
        settled = now;
        stillSince = Date.now();
      }
    }
    await new Promise((r) => setTimeout(r, 2_000));
    const later = (await runs.get(runId))!;
    expect(later.status).toBe('cancelled');
    expect(later.partitions).toEqual(settled.partitions);
    expect(later.partitions.some((p) => !p.done)).toBe(true);
    const waited = await scenario.replayCli(['rerun', runId, '--wait']);
    expect(waited.code, 'a cancelled run waited for ends with exit 1').toBe(1);
    expect(slow.logLines().filter((line) => line.level === 'error')).toEqual([]);
  });
});
