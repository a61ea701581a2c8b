import { afterAll, describe, expect, it } from 'vitest';
import type { Pipeline } from '@lk/operators';
import { SpeedScenario, type GeneratedRecord, type ResultRow } from '../src/support/speed-scenario';
import { expectGroundTruth } from './support/expect-ground-truth';

/**
 * The user flows end to end, every service its own process as in production:
 * - an operator drives the Lambda and Kappa paths through the admin API only (batch run, Kappa replay, cutover,
 *   comparisons), and the comparison's explanations are checked against what the generator reports as late;
 * - UserEvent v1 and v2 interleaved in one topic, then switching mid-stream, reach the speed layer and a batch
 *   run without an error and are all counted.
 */
const flow = new SpeedScenario('user-flows');
/** A fourth pipeline that reads v2's `country`: aggregations skip a missing or null field (SQL). */
const evolution = new SpeedScenario(
  'schema-evolution',
  {},
  {
    extraPipelines: `- name: user_countries_1m
  source: user-events
  key: user_id
  time: ts
  window: { type: tumbling, size: 1m }
  watermark: { maxOutOfOrderness: 10s }
  allowedLateness: 1m
  aggregations:
    - { name: events, fn: count }
    - { name: with_country, fn: count, field: country }
    - { name: countries, fn: count_distinct, field: country }
`,
  },
);
afterAll(() => Promise.all([flow.cleanup(), evolution.cleanup()]));

const token = 'user-flows-token-0123456789';
let base = '';

type Json = Record<string, unknown>;

/** One admin API call with the bearer token; the status and the parsed body. */
async function api<T = Json>(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${base}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : {}) as T };
}

type RunView = {
  id: string;
  status: string;
  mode: string;
  version: number | null;
  jobId: string;
  partitions: { partition: number; horizon: number | null; done: boolean }[];
  progress: { fraction: number };
};

/** Follows a run's server-sent events to its `end` event; the run as that event reports it. */
async function followRun(id: string): Promise<RunView> {
  const response = await fetch(`${base}/replays/${id}/events`);
  expect(response.headers.get('content-type')).toContain('text/event-stream');
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
  }
  const events = text
    .split('\n\n')
    .filter(Boolean)
    .map((block) => ({
      type: /^event: (.+)$/m.exec(block)?.[1],
      data: JSON.parse(/^data: (.+)$/m.exec(block)![1]!) as RunView,
    }));
  expect(events.at(-1)?.type).toBe('end');
  return events.at(-1)!.data;
}

/** Until GET /replays/:id says the run ended (polled, as a script without SSE would). */
async function pollRun(id: string, timeoutMs = 120_000): Promise<RunView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { status, body } = await api<RunView>('GET', `/replays/${id}`);
    expect(status).toBe(200);
    if (['completed', 'failed', 'cancelled'].includes(body.status)) return body;
    if (Date.now() > deadline) throw new Error(`run ${id} still ${body.status} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

type Report = {
  id: string;
  status: string;
  trigger: string;
  left: { source: string; jobs: string[] };
  right: { source: string; jobs: string[] };
  summary: { rows: Record<string, number> };
};
type Row = {
  key: string;
  windowStart: number;
  windowEnd: number;
  class: string;
  reason: string;
  lateEventIds: string[];
};

const errorLines = (scenario: SpeedScenario) =>
  scenario.processes.flatMap((p) => p.logLines()).filter((line) => line.level === 'error');

async function dlqRecords(scenario: SpeedScenario): Promise<number> {
  const admin = scenario.kafka.admin();
  await admin.connect();
  try {
    return [...(await admin.endOffsets(`${scenario.topic}.dlq`)).values()].reduce((a, b) => a + Number(b), 0);
  } finally {
    await admin.disconnect();
  }
}

const sum = (rows: ResultRow[], aggregation: string): number =>
  rows.reduce((total, row) => total + (row.values[aggregation] ?? 0), 0);

describe('user flows', () => {
  it('the used-by flows through the admin API: batch run, Kappa replay, cutover, comparisons explained by the late events', async () => {
    const tumbling = flow.pipelines[0]!;
    await flow.createTopics();
    const speed = flow.startSpeed(1);
    const worker = flow.startBatch({ BATCH_CONCURRENCY: '3' });
    const merge = flow.startMerge({ MERGE_POLL_INTERVAL_MS: '200', MERGE_COMPARE_INTERVAL_MS: '0' });
    const admin = flow.startAdmin({ ADMIN_TOKEN: token });
    // produced while the services start: disorder within the watermark's bound, 1 % late by 1m..20m beyond
    // it, 0.5 % duplicates
    const [produced] = await Promise.all([
      flow.generate(12_000, 20_000, { seed: 71, start: '2026-07-01T00:00:00Z', keys: 1200 }),
      speed.waitForLog('service started'),
      worker.waitForLog('replay worker started'),
      merge.waitForLog('service started'),
    ]);
    expect(produced).toBe(0);
    base = String((await admin.waitForLog('service started')).url);
    await flow.caughtUp(1);

    // the Lambda batch layer: a batch run, followed over server-sent events to its end
    const batchStart = await api<{ id: string; groupId: string }>('POST', '/replays', {
      mode: 'batch',
      pipelines: [tumbling.name],
    });
    expect(batchStart.status).toBe(202);
    const batchId = batchStart.body.id;
    flow.runIds.push(batchId);
    expect(batchStart.body.groupId).toBe(`lk-batch-${batchId}`);
    const batchRun = await followRun(batchId);
    expect(batchRun).toMatchObject({ id: batchId, status: 'completed', mode: 'batch' });
    expect(batchRun.progress.fraction).toBe(1);
    expect(batchRun.partitions).toHaveLength(12);

    // the Kappa path: a replay as the next version, polled to its end, then cut over
    const kappaStart = await api<{ id: string }>('POST', '/replays', {
      mode: 'kappa',
      pipelines: [tumbling.name],
    });
    expect(kappaStart.status).toBe(202);
    const kappaId = kappaStart.body.id;
    flow.runIds.push(kappaId);
    const kappaRun = await pollRun(kappaId);
    expect(kappaRun).toMatchObject({ status: 'completed', mode: 'kappa', version: 2 });
    expect(kappaRun.jobId).toBe(flow.jobId(tumbling, 2));
    const cutover = await api('POST', `/replays/${kappaId}/cutover`, {});
    expect(cutover.status, JSON.stringify(cutover.body)).toBe(200);
    expect(cutover.body).toMatchObject({ pipeline: tumbling.name, version: 2 });

    // the API now serves version 2: the pipeline's serving version, the Kappa view's rows, the lag's flag
    const pipelines = (
      await api<{ name: string; servingVersion: number; versions: number[] }[]>('GET', '/pipelines')
    ).body;
    expect(pipelines.find((p) => p.name === tumbling.name)).toMatchObject({
      servingVersion: 2,
      versions: [1, 2],
    });
    const kappaView = await api<{ source: string; rows: { source: string }[] }>(
      'GET',
      `/pipelines/${tumbling.name}/results?view=kappa&limit=10000`,
    );
    expect(kappaView.status).toBe(200);
    expect(kappaView.body.rows.length).toBeGreaterThan(0);
    expect(new Set(kappaView.body.rows.map((row) => row.source))).toEqual(new Set([flow.jobId(tumbling, 2)]));
    const lambdaView = await api<{ rows: { source: string }[] }>(
      'GET',
      `/pipelines/${tumbling.name}/results?view=lambda&limit=10000`,
    );
    // Lambda: the batch run where it covers the window, else the serving speed version — never v1 any more
    expect(
      lambdaView.body.rows.filter(
        (r) => r.source !== `batch:${batchId}` && r.source !== flow.jobId(tumbling, 2),
      ),
    ).toEqual([]);
    expect(lambdaView.body.rows.some((r) => r.source === `batch:${batchId}`)).toBe(true);
    const lag = (await api<{ jobId: string; serving: boolean; lag: number }[]>('GET', '/lag')).body;
    expect(lag.find((j) => j.jobId === flow.jobId(tumbling, 2))).toMatchObject({ serving: true, lag: 0 });
    expect(lag.find((j) => j.jobId === flow.jobId(tumbling, 1))).toMatchObject({ serving: false });

    // Kappa v2 (serving) vs the live v1: a replay of the same log, so the same windows, nothing to explain
    const versions = await api<Report>('POST', '/comparisons', {
      pipeline: tumbling.name,
      left: 'kappa',
      right: 'speed:v1',
    });
    expect(versions.status, JSON.stringify(versions.body)).toBe(201);
    expect(versions.body.left.jobs).toEqual([flow.jobId(tumbling, 2)]);
    expect(versions.body.right.jobs).toEqual([flow.jobId(tumbling, 1)]);
    const { equal, ...notEqual } = versions.body.summary.rows;
    expect(equal).toBeGreaterThan(0);
    expect(
      Object.values(notEqual).every((n) => n === 0),
      JSON.stringify(notEqual),
    ).toBe(true);

    // Lambda vs Kappa: the windows the stream dropped late events from, each explained by those events
    const compared = await api<Report>('POST', '/comparisons', { pipeline: tumbling.name });
    expect(compared.status, JSON.stringify(compared.body)).toBe(201);
    expect(compared.body).toMatchObject({
      status: 'completed',
      left: { source: 'lambda' },
      right: { source: 'kappa' },
    });
    const counts = compared.body.summary.rows;
    expect(counts.unexplained).toBe(0);
    expect(counts.explained).toBeGreaterThan(0);
    const stored = await api<Report & { rows: Row[] }>('GET', `/comparisons/${compared.body.id}?rows=10000`);
    expect(stored.status).toBe(200);
    const rows = stored.body.rows;
    expect(rows.length).toBe(total(counts) - counts.equal!);
    expect(rows.filter((r) => r.class === 'unexplained')).toEqual([]);

    // independently: the generator's late flags and lk-window's late output over its JSONL
    const generated = flow.generated();
    const flaggedLate = new Set(generated.filter((r) => r.late).map((r) => r.event_id));
    expect(flaggedLate.size).toBeGreaterThan(0);
    const byPosition = new Map(generated.map((r) => [`${r.partition}@${r.offset}`, r]));
    const expected = flow.expectedByLkWindow(tumbling);
    // the Kappa version dropped exactly what lk-window drops
    expect(await flow.storedLate(tumbling, 2)).toEqual(expected.late);
    const dropped = expected.late.map((id) => {
      const [position, window] = id.split(':') as [string, string];
      const [windowStart, windowEnd] = window.split('-').map(Number) as [number, number];
      return { record: byPosition.get(position)!, windowStart, windowEnd };
    });
    // the stream drops only events the generator pushed back beyond the disorder (the watermark's bound)
    expect(dropped.filter((d) => !d.record.late).map((d) => d.record.event_id)).toEqual([]);
    const horizon = new Map(batchRun.partitions.map((p) => [p.partition, p.horizon ?? -Infinity]));
    const covered = (record: GeneratedRecord, windowEnd: number) =>
      windowEnd + tumbling.allowedLateness <= horizon.get(record.partition)!;
    const droppedInCovered = new Set(
      dropped.filter((d) => covered(d.record, d.windowEnd)).map((d) => d.record.event_id),
    );
    expect(droppedInCovered.size).toBeGreaterThan(0);

    const explained = rows.filter((r) => r.class === 'explained');
    const linkedByExplained = new Set(explained.flatMap((r) => r.lateEventIds));
    expect(explained.every((r) => r.lateEventIds.length > 0)).toBe(true);
    // every event an explained row links is one the generator marked late, and the stream dropped it
    expect([...linkedByExplained].filter((id) => !flaggedLate.has(id))).toEqual([]);
    expect([...linkedByExplained].filter((id) => !droppedInCovered.has(id))).toEqual([]);
    // every late event dropped in a window the batch run covers is linked: by the explained row of its window,
    // or — a window made only of late events, missing on the Kappa side — by that window's only_left row
    const lateOnly = rows.filter((r) => r.class === 'only_left' && r.lateEventIds.length > 0);
    const linked = new Set([...linkedByExplained, ...lateOnly.flatMap((r) => r.lateEventIds)]);
    expect([...droppedInCovered].filter((id) => !linked.has(id))).toEqual([]);
    expect([...linked].filter((id) => !droppedInCovered.has(id))).toEqual([]);
    // and the explained windows are exactly the covered windows the Kappa side has and dropped events from
    const windowOf = (key: string, start: number, end: number) => `${key}|${start}|${end}`;
    const kappaRows = new Set(
      (await flow.storedResults(tumbling, 2)).map((r) => windowOf(r.key, r.window_start, r.window_end)),
    );
    const explainedWindows = new Set(
      dropped
        .filter((d) => covered(d.record, d.windowEnd))
        .map((d) => windowOf(d.record.user_id, d.windowStart, d.windowEnd))
        .filter((w) => kappaRows.has(w)),
    );
    expect(new Set(explained.map((r) => windowOf(r.key, r.windowStart, r.windowEnd)))).toEqual(
      explainedWindows,
    );

    // the merge service compared Lambda vs Kappa on its own after the batch run, listed by the API
    const deadline = Date.now() + 60_000;
    let automatic: Report | undefined;
    while (!automatic && Date.now() < deadline) {
      const listed = await api<Report[]>('GET', `/comparisons?pipeline=${tumbling.name}`);
      automatic = listed.body.find((c) => c.trigger === `replay:${batchId}`);
      if (!automatic) await new Promise((r) => setTimeout(r, 250));
    }
    expect(automatic).toMatchObject({ status: 'completed', left: { source: 'lambda' } });
    expect(automatic!.summary.rows.unexplained).toBe(0);
    expect(errorLines(flow)).toEqual([]);
    // done with this flow: its services leave (SIGTERM) so the next one has the machine
    expect(await Promise.all(flow.processes.map((p) => p.stop('SIGTERM')))).toEqual(
      flow.processes.map(() => 0),
    );
  });

  it('schema evolution mid-stream: v1 and v2 interleaved, then v2 only, then v1 only — all counted, no errors', async () => {
    const [tumbling, , , countries] = evolution.pipelines as [Pipeline, Pipeline, Pipeline, Pipeline];
    expect(countries.aggregations.map((a) => a.name)).toEqual(['events', 'with_country', 'countries']);
    await evolution.createTopics();
    const speed = evolution.startSpeed(1);
    const worker = evolution.startBatch({ BATCH_CONCURRENCY: '3' });
    // one log, three segments: both versions interleaved (24 min of event time), then v2 only (12 min), then
    // v1 only (12 min): the versions switch mid-stream
    const segments = [
      { count: 8_000, v1Fraction: 0.5, start: '2026-08-01T00:00:00Z' },
      { count: 4_000, v1Fraction: 0, start: '2026-08-01T00:24:00Z' },
      { count: 4_000, v1Fraction: 1, start: '2026-08-01T00:36:00Z' },
    ];
    const produce = async (): Promise<(number | null)[]> => {
      const codes: (number | null)[] = [];
      for (const [i, segment] of segments.entries())
        codes.push(
          await evolution.generate(segment.count, 20_000, {
            seed: 90 + i,
            start: segment.start,
            keys: 1000,
            v1Fraction: segment.v1Fraction,
          }),
        );
      return codes;
    };
    const [codes] = await Promise.all([
      produce(),
      speed.waitForLog('service started'),
      worker.waitForLog('replay worker started'),
    ]);
    expect(codes).toEqual([0, 0, 0]);

    // the generator's record of it: both versions interleaved, then v2 only, then v1 only
    const versionsOf = (records: GeneratedRecord[]) => new Set(records.map((r) => r.schema_version));
    expect(versionsOf(evolution.generated(0))).toEqual(new Set([1, 2]));
    expect(versionsOf(evolution.generated(1))).toEqual(new Set([2]));
    expect(versionsOf(evolution.generated(2))).toEqual(new Set([1]));
    const generated = evolution.generated();
    expect(generated.every((r) => (r.schema_version === 1) === !('country' in r))).toBe(true);
    const v1 = generated.filter((r) => r.schema_version === 1).length;
    const v2 = generated.filter((r) => r.schema_version === 2).length;
    expect(v1).toBeGreaterThan(0);
    expect(v2).toBeGreaterThan(0);
    expect(v1 + v2).toBe(await evolution.endOffsetTotal());

    await evolution.caughtUp(1);
    const runs = await Promise.all(
      [tumbling, countries].map((pipeline) =>
        evolution.replayCli(['--mode', 'batch', '--pipeline', pipeline.name, '--wait']),
      ),
    );
    for (const run of runs) expect(run.code, run.stderr).toBe(0);
    const [tumblingRun, countriesRun] = runs.map((run) => `batch:${run.stdout.split('\n')[0]!.trim()}`) as [
      string,
      string,
    ];

    // no record refused, no error logged, by the speed job or the batch workers
    expect(await dlqRecords(evolution)).toBe(0);
    expect(errorLines(evolution)).toEqual([]);

    // the speed layer's results are lk-window's over the JSONL (v1 lines without country), for every pipeline
    for (const pipeline of evolution.pipelines)
      await expectGroundTruth(evolution, pipeline, evolution.jobId(pipeline, 1));
    // and the batch runs are lk-window's in batch mode
    for (const [pipeline, jobId] of [
      [tumbling, tumblingRun],
      [countries, countriesRun],
    ] as const)
      await expectGroundTruth(evolution, pipeline, jobId, 'batch');

    // every event of both versions is counted: the batch run counts all of them (duplicates included), the
    // speed job all but those it dropped as late (one window each: tumbling)
    const batchRows = await evolution.storedResultsOf(tumblingRun);
    expect(sum(batchRows, 'events')).toBe(v1 + v2);
    const speedRows = await evolution.storedResults(tumbling, 1);
    const droppedLate = (await evolution.storedLate(tumbling, 1)).length;
    expect(droppedLate).toBeGreaterThan(0);
    expect(sum(speedRows, 'events') + droppedLate).toBe(v1 + v2);

    // `country`: v1 events have none and v2 events may hold null — both are skipped by count(field) and
    // count_distinct, yet counted by count(); per window, computed straight from the JSONL
    const windows = new Map<string, { events: number; withCountry: number; countries: Set<string> }>();
    for (const record of generated) {
      const start = Math.floor(record.ts / 60_000) * 60_000;
      const id = `${record.user_id}|${start}`;
      const window = windows.get(id) ?? { events: 0, withCountry: 0, countries: new Set<string>() };
      window.events++;
      if (typeof record.country === 'string') {
        window.withCountry++;
        window.countries.add(record.country);
      }
      windows.set(id, window);
    }
    const countryRows = await evolution.storedResultsOf(countriesRun);
    expect(countryRows.length).toBe(windows.size);
    for (const row of countryRows) {
      const window = windows.get(`${row.key}|${row.window_start}`);
      expect(row.values, `${row.key} ${row.window_start}`).toEqual({
        events: window?.events,
        with_country: window?.withCountry,
        countries: window?.countries.size,
      });
    }
    const withoutCountry = generated.filter((r) => typeof r.country !== 'string').length;
    expect(withoutCountry).toBeGreaterThan(v1);
    expect(sum(countryRows, 'events') - sum(countryRows, 'with_country')).toBe(withoutCountry);
    // windows of v1 events only (the last segment) count their events and no country
    const v1Only = countryRows.filter((r) => r.window_start >= Date.parse(segments[2]!.start) + 60_000);
    expect(v1Only.length).toBeGreaterThan(0);
    expect(
      v1Only.every((r) => r.values.events! > 0 && r.values.with_country === 0 && r.values.countries === 0),
    ).toBe(true);
  });
});

/** Rows of every class in a comparison summary. */
function total(rows: Record<string, number>): number {
  return Object.values(rows).reduce((a, b) => a + b, 0);
}
