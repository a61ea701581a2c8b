import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Comparisons, type ComparisonReport } from '@lk/comparisons';
import { parsePipelines, resultValuesEqual, toDefinition, type Pipeline } from '@lk/operators';
import { SpeedScenario, type ResultRow } from '../src/support/speed-scenario';
import type { ServiceProcess } from '../src/support/service-process';

/**
 * The merge service and the compare CLI on real runs: the speed layer (v1) and a batch run of every pipeline
 * over a generated log with late events, compared Lambda vs Kappa. What differs, and why, is computed
 * independently with lk-window over the generator's JSONL (stream mode with its late output, batch mode) and
 * the batch runs' horizons.
 */
const scenario = new SpeedScenario('merge-e2e');
const comparisons = new Comparisons(scenario.database);
let merge: ServiceProcess;
const batchRuns = new Map<string, string>();

const windowId = (row: { key: string; window_start: number; window_end: number }): string =>
  `${row.key}|${row.window_start}|${row.window_end}`;

beforeAll(async () => {
  await scenario.createTopics();
  // many keys, each seen rarely: sessions close between a key's events, so late events bridge final ones
  expect(
    await scenario.generate(30_000, 20_000, { seed: 41, start: '2026-05-01T00:00:00Z', keys: 20_000 }),
  ).toBe(0);
  const speed = scenario.startSpeed(1);
  await speed.waitForLog('service started');
  await scenario.caughtUp(1);
  const worker = scenario.startBatch({ BATCH_CONCURRENCY: '3' });
  merge = scenario.startMerge({ MERGE_POLL_INTERVAL_MS: '200', MERGE_COMPARE_INTERVAL_MS: '0' });
  await Promise.all([worker.waitForLog('replay worker started'), merge.waitForLog('service started')]);
  for (const pipeline of scenario.pipelines) {
    const { code, stdout, stderr } = await scenario.replayCli([
      '--mode',
      'batch',
      '--pipeline',
      pipeline.name,
      '--wait',
    ]);
    expect(code, stderr).toBe(0);
    batchRuns.set(pipeline.name, stdout.split('\n')[0]!.trim());
  }
}, 300_000);
afterAll(() => scenario.cleanup());

/** lambda (batch where its horizon covers the window, else stream) vs kappa (stream), from lk-window. */
async function expectedComparison(pipeline: Pipeline) {
  const stream = scenario.expectedByLkWindow(pipeline, { mode: 'stream' });
  const batch = scenario.expectedByLkWindow(pipeline, { mode: 'batch' });
  const horizons = new Map(
    (
      await scenario.database.query<{ partition: number; horizon: string }>(
        'select partition, horizon from replay_partitions where run_id = $1',
        [batchRuns.get(pipeline.name)],
      )
    ).map((p) => [p.partition, Number(p.horizon)]),
  );
  const partitionOf = scenario.keyPartitions();
  const covered = (key: string, windowEnd: number) =>
    windowEnd + pipeline.allowedLateness <= (horizons.get(partitionOf.get(key)!) ?? -Infinity);
  const lambda = new Map<string, ResultRow>();
  for (const row of batch.results) if (covered(row.key, row.window_end)) lambda.set(windowId(row), row);
  for (const row of stream.results) if (!covered(row.key, row.window_end)) lambda.set(windowId(row), row);
  const kappa = new Map(stream.results.map((row) => [windowId(row), row]));
  const differing = new Set<string>();
  let equal = 0;
  for (const id of new Set([...lambda.keys(), ...kappa.keys()])) {
    const left = lambda.get(id);
    const right = kappa.get(id);
    if (left && right && resultValuesEqual(pipeline.aggregations, left.values, right.values)) equal++;
    else differing.add(id);
  }
  return { differing, equal, covered };
}

describe('merge: Lambda vs Kappa on real runs', () => {
  it('after every batch run the merge service compared Lambda vs Kappa, nothing unexplained', async () => {
    for (const [pipeline, runId] of batchRuns) {
      const deadline = Date.now() + 60_000;
      let found: ComparisonReport | undefined;
      while (!found && Date.now() < deadline) {
        found = (await comparisons.list({ pipeline })).find((c) => c.trigger === `replay:${runId}`);
        if (!found) await new Promise((r) => setTimeout(r, 250));
      }
      expect(found, `comparison after ${runId}`).toBeDefined();
      expect(found!.status).toBe('completed');
      expect(found!.left.source).toBe('lambda');
      expect(found!.summary!.rows.unexplained).toBe(0);
    }
    expect(merge.logLines().filter((line) => line.level === 'error')).toEqual([]);
  });

  for (const index of [0, 1, 2]) {
    it(`pipeline ${index}: the compare CLI finds exactly the windows where lk-window's batch and stream differ`, async () => {
      const pipeline = scenario.pipelines[index]!;
      const { code, stdout, stderr } = await scenario.compareCli(['--pipeline', pipeline.name, '--json']);
      expect(code, stderr).toBe(0);
      const report = JSON.parse(stdout) as ComparisonReport;
      const expected = await expectedComparison(pipeline);
      const rows = await comparisons.rows(report.id, { limit: 100_000 });
      expect(report.summary!.rows.unexplained).toBe(0);
      expect(new Set(rows.map((r) => `${r.key}|${r.windowStart}|${r.windowEnd}`))).toEqual(
        expected.differing,
      );
      expect(report.summary!.rows.equal).toBe(expected.equal);
      // the log has late events in covered windows of every pipeline (sessions: few — a key must be idle
      // for gap + lateness before an event behind it is late), and each is explained
      expect(
        rows.filter((r) => r.class === 'explained').length,
        JSON.stringify(report.summary!.reasons),
      ).toBeGreaterThan(0);
      if (pipeline.window.type !== 'session') {
        // fixed windows: the not-equal rows are the covered windows the stream dropped late events from
        const late = await scenario.database.query<{ key: string; window_start: string; window_end: string }>(
          `select distinct key, window_start, window_end from late_events where job_id = $1`,
          [scenario.jobId(pipeline, 1)],
        );
        const lateWindows = new Set(
          late
            .filter((l) => expected.covered(l.key, Number(l.window_end)))
            .map((l) => `${l.key}|${l.window_start}|${l.window_end}`),
        );
        expect(new Set(rows.map((r) => `${r.key}|${r.windowStart}|${r.windowEnd}`))).toEqual(lateWindows);
        expect(rows.every((r) => r.class === 'explained' || r.class === 'only_left')).toBe(true);
      }
      // the text form prints the summary table and the scorecard
      const text = await scenario.compareCli(['--pipeline', pipeline.name]);
      expect(text.code).toBe(0);
      expect(text.stdout).toMatch(/explained\s+\d+/);
      expect(text.stdout).toContain('scorecard');
    });
  }

  it('the scorecard is filled from the runs', async () => {
    const pipeline = scenario.pipelines[0]!;
    const { stdout } = await scenario.compareCli(['--pipeline', pipeline.name, '--json']);
    const { scorecard } = JSON.parse(stdout) as ComparisonReport;
    const total = await scenario.endOffsetTotal();
    expect(scorecard!.speed).toMatchObject({ jobId: scenario.jobId(pipeline, 1), lagRecords: 0 });
    expect(scorecard!.speed!.watermarkDelayMs).toBeGreaterThan(0);
    expect(scorecard!.lastBatchRun).toMatchObject({ runId: batchRuns.get(pipeline.name), events: total });
    expect(scorecard!.lastBatchRun!.durationMs).toBeGreaterThan(0);
    expect(scorecard!.lastBatchRun!.eventsPerSecond).toBeGreaterThan(0);
    const lateEvents = new Set((await scenario.storedLate(pipeline, 1)).map((id) => id.split(':')[0])).size;
    expect(scorecard!.lateDrops).toEqual([
      {
        jobId: scenario.jobId(pipeline, 1),
        version: 1,
        events: lateEvents,
        windows: (await scenario.storedLate(pipeline, 1)).length,
      },
    ]);
  });

  it('a corrupted stored result shows up as unexplained, with the row, and the CLI exits 1', async () => {
    const pipeline = scenario.pipelines[0]!;
    const jobId = `batch:${batchRuns.get(pipeline.name)}`;
    const [target] = await scenario.database.query<{
      key: string;
      window_start: string;
      values: { events: number };
    }>(
      `select w.key, w.window_start, w.values from lambda_view w where w.pipeline = $1 and w.job_id = $2
       order by w.key, w.window_start limit 1`,
      [pipeline.name, jobId],
    );
    const update = (events: number) =>
      scenario.database.query(
        `update window_results set values = jsonb_set(values, '{events}', $4::text::jsonb)
         where job_id = $1 and key = $2 and window_start = $3`,
        [jobId, target!.key, target!.window_start, String(events)],
      );
    await update(target!.values.events + 1);
    try {
      const { code, stdout } = await scenario.compareCli(['--pipeline', pipeline.name]);
      expect(code).toBe(1);
      expect(stdout).toMatch(/unexplained\s+1\b/);
      expect(stdout).toContain(`${target!.key} [${target!.window_start},`);
    } finally {
      await update(target!.values.events);
    }
  });

  it('a what-if Kappa replay (lateness 1m → 10m) reports the late events saved, as lk-window finds them', async () => {
    const pipeline = scenario.pipelines[0]!;
    const whatIfFile = `${scenario.dir}/what-if.yaml`;
    scenario.writePipelines(whatIfFile, (text) =>
      text.replace('allowedLateness: 1m', 'allowedLateness: 10m'),
    );
    const definitionFile = `${scenario.dir}/what-if-definition.yaml`;
    const changed = parsePipelines(readFileSync(whatIfFile, 'utf8')).find((p) => p.name === pipeline.name)!;
    expect(changed.allowedLateness).toBe(600_000);
    writeFileSync(definitionFile, JSON.stringify(toDefinition(changed)));
    const replay = await scenario.replayCli([
      '--mode',
      'kappa',
      '--pipeline',
      pipeline.name,
      '--definition',
      definitionFile,
      '--wait',
    ]);
    expect(replay.code, replay.stderr).toBe(0);
    const { code, stdout, stderr } = await scenario.compareCli([
      '--pipeline',
      pipeline.name,
      '--left',
      'speed:v1',
      '--right',
      'speed:v2',
      '--json',
    ]);
    expect(code, stderr).toBe(0);
    const report = JSON.parse(stdout) as ComparisonReport;
    const lateEvents = (file?: string) =>
      new Set(
        scenario
          .expectedByLkWindow(pipeline, { mode: 'stream', ...(file && { pipelinesFile: file }) })
          .late.map((id) => id.split(':')[0]),
      ).size;
    const savedByLkWindow = lateEvents() - lateEvents(whatIfFile);
    expect(savedByLkWindow).toBeGreaterThan(0);
    expect(report.scorecard!.whatIf).toMatchObject({
      leftJob: scenario.jobId(pipeline, 1),
      rightJob: scenario.jobId(pipeline, 2),
      lateEventsSaved: savedByLkWindow,
      extraFinalLatencyMs: 540_000,
    });
    expect(report.summary!.rows.unexplained).toBe(0);
    expect(report.scorecard!.lastKappaReplay!.jobId).toBe(scenario.jobId(pipeline, 2));
    // and the merge service compared the serving version with the new one on its own
    const runId = scenario.runIds.at(-1)!;
    const deadline = Date.now() + 60_000;
    let auto: ComparisonReport | undefined;
    while (!auto && Date.now() < deadline) {
      auto = (await comparisons.list({ pipeline: pipeline.name })).find(
        (c) => c.trigger === `replay:${runId}`,
      );
      if (!auto) await new Promise((r) => setTimeout(r, 250));
    }
    expect(auto).toMatchObject({
      status: 'completed',
      left: { source: 'kappa' },
      right: { source: 'speed:v2' },
    });
    expect(auto!.summary!.rows.unexplained).toBe(0);
  });
});
