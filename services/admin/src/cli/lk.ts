#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { runCli, UsageError } from '@lk/common';
import { reportText, type ComparisonReport, type ComparisonRow } from '@lk/comparisons';
import type { ReplayProgress } from '@lk/store';
import { ApiClient, ApiError } from './api-client';
import { PartitionBars, type RunProgress } from './partition-bars';

const USAGE = `usage: lk <command> [options]      (talks to LK_API_URL, default http://127.0.0.1:3000, with LK_TOKEN)

  lk replay --mode batch|kappa [--pipeline P]... [--from earliest|ISO] [--definition YAML] [--watch] [--json]
  lk runs [--pipeline P] [--json]          lk status RUN_ID [--json]        lk cancel RUN_ID
  lk cutover RUN_ID [--max-lag N]
  lk compare PIPELINE [--left SOURCE] [--right SOURCE] [--json]
  lk results PIPELINE [--view lambda|kappa|speed|batch] [--key K] [--limit N] [--json]
  lk lag [--json]
  lk schemas check FILE [--subject S] [--json]

replay starts a run per pipeline (all without --pipeline); --watch shows a progress bar per partition with an
ETA until each ends. compare prints the summary table and the scorecard. results prints a view's newest
windows (default: kappa, 20 rows). Exit codes: 0 ok; 1 a run failed or
was cancelled, something is unexplained, a schema is incompatible, or the API failed; 2 bad input (the API's
4xx included).`;

type Values = {
  mode?: string;
  pipeline?: string[];
  from?: string;
  definition?: string;
  watch: boolean;
  json: boolean;
  'max-lag'?: string;
  left?: string;
  right?: string;
  subject?: string;
  view?: string;
  key?: string;
  limit?: string;
};

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        mode: { type: 'string' },
        pipeline: { type: 'string', multiple: true },
        from: { type: 'string' },
        definition: { type: 'string' },
        watch: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        'max-lag': { type: 'string' },
        left: { type: 'string' },
        right: { type: 'string' },
        subject: { type: 'string' },
        view: { type: 'string' },
        key: { type: 'string' },
        limit: { type: 'string' },
      },
    });
  } catch (error) {
    throw new UsageError('arguments', (error as Error).message);
  }
  const values = parsed.values as Values;
  const [command, ...args] = parsed.positionals;
  const api = new ApiClient(
    process.env.LK_API_URL || 'http://127.0.0.1:3000',
    process.env.LK_TOKEN || undefined,
  );
  const print = (value: unknown, text: () => string): void =>
    void process.stdout.write(values.json ? `${JSON.stringify(value, null, 2)}\n` : text());
  const needArgument = (name: string): string => {
    if (!args[0]) throw new UsageError(command ?? 'command', `needs ${name}`);
    return args[0];
  };
  switch (command) {
    case 'replay':
      return replay(api, values, print);
    case 'runs': {
      const query = values.pipeline?.[0] ? `?pipeline=${encodeURIComponent(values.pipeline[0])}` : '';
      const runs = await api.request<RunView[]>('GET', `/replays${query}`);
      print(runs, () => runs.map(runLine).join(''));
      return 0;
    }
    case 'status': {
      const run = await api.request<RunView>(
        'GET',
        `/replays/${encodeURIComponent(needArgument('a run id'))}`,
      );
      print(run, () => runLine(run));
      return 0;
    }
    case 'cancel': {
      const run = await api.request<RunView>(
        'DELETE',
        `/replays/${encodeURIComponent(needArgument('a run id'))}`,
      );
      print(run, () => runLine(run));
      return 0;
    }
    case 'cutover': {
      const maxLag = values['max-lag'] === undefined ? undefined : Number(values['max-lag']);
      if (maxLag !== undefined && (!Number.isInteger(maxLag) || maxLag < 0))
        throw new UsageError('--max-lag', 'expected an integer >= 0');
      const serving = await api.request<{ pipeline: string; version: number; since: string }>(
        'POST',
        `/replays/${encodeURIComponent(needArgument('a run id'))}/cutover`,
        maxLag === undefined ? {} : { maxLag },
      );
      print(serving, () => `${serving.pipeline}: version ${serving.version} serves since ${serving.since}\n`);
      return 0;
    }
    case 'compare': {
      const report = await api.request<ComparisonReport>('POST', '/comparisons', {
        pipeline: needArgument('a pipeline'),
        ...(values.left && { left: values.left }),
        ...(values.right && { right: values.right }),
      });
      const unexplained = report.summary?.rows.unexplained ?? 0;
      const rows =
        unexplained > 0
          ? (
              await api.request<{ rows: ComparisonRow[] }>(
                'GET',
                `/comparisons/${report.id}?class=unexplained&rows=20`,
              )
            ).rows
          : [];
      print({ ...report, unexplainedRows: rows }, () => reportText(report, rows));
      return unexplained === 0 ? 0 : 1;
    }
    case 'results': {
      const query = new URLSearchParams({ limit: values.limit ?? '20' });
      if (values.view) query.set('view', values.view);
      if (values.key) query.set('key', values.key);
      const results = await api.request<{ view: string; source: string; rows: ResultRowView[] }>(
        'GET',
        `/pipelines/${encodeURIComponent(needArgument('a pipeline'))}/results?${query.toString()}`,
      );
      print(results, () => resultsText(results.source, results.rows));
      return 0;
    }
    case 'lag': {
      const jobs = await api.request<
        { jobId: string; serving: boolean; lag: number; partitions: { partition: number; lag: number }[] }[]
      >('GET', '/lag');
      print(jobs, () =>
        jobs
          .map(
            (job) =>
              `${job.jobId}${job.serving ? ' (serving)' : ''}: lag ${job.lag} — ` +
              job.partitions.map((p) => `p${p.partition} ${p.lag}`).join(', ') +
              '\n',
          )
          .join(''),
      );
      return 0;
    }
    case 'schemas': {
      if (args[0] !== 'check' || !args[1])
        throw new UsageError('schemas', 'usage: lk schemas check FILE [--subject S]');
      let schema: unknown;
      try {
        schema = JSON.parse(readFileSync(args[1], 'utf8'));
      } catch (error) {
        throw new UsageError('FILE', `cannot read ${args[1]} as JSON: ${(error as Error).message}`);
      }
      const verdict = await api.request<{ subject: string; status: string; problems: string[] }>(
        'POST',
        '/schemas/check',
        { schema, ...(values.subject && { subject: values.subject }) },
      );
      print(
        verdict,
        () => `${verdict.subject}: ${verdict.status}${verdict.problems.map((p) => `\n  - ${p}`).join('')}\n`,
      );
      return verdict.status === 'incompatible' ? 1 : 0;
    }
    default:
      throw new UsageError('command', command ? `unknown "${command}"` : 'missing');
  }
}

interface RunView extends RunProgress {
  mode: string;
  jobId: string;
  groupId: string;
  error: string | null;
  progress: ReplayProgress;
}

interface ResultRowView {
  key: string;
  windowStart: number;
  windowEnd: number;
  values: Record<string, unknown>;
  final: boolean;
  source: string;
}

function resultsText(source: string, rows: ResultRowView[]): string {
  const time = (ms: number): string => new Date(ms).toISOString().slice(0, 19);
  const lines = rows.map(
    (row) =>
      `  ${row.key.padEnd(14)} ${time(row.windowStart)} – ${time(row.windowEnd).slice(11)}  ` +
      `${(row.final ? 'final' : 'open').padEnd(5)}  ${row.source.padEnd(34)} ${JSON.stringify(row.values)}\n`,
  );
  return `${source}: ${rows.length} row${rows.length === 1 ? '' : 's'}\n${lines.join('')}`;
}

function runLine(run: RunView): string {
  return (
    `${run.id} ${run.status.padEnd(9)} ${run.mode.padEnd(5)} ${run.pipeline} → ${run.jobId}: ` +
    `${run.progress.consumed}/${run.progress.records} records, ${run.progress.partitionsDone}/${run.partitions.length} partitions` +
    `${run.error ? `; ${run.error}` : ''}\n`
  );
}

async function replay(
  api: ApiClient,
  values: Values,
  print: (value: unknown, text: () => string) => void,
): Promise<number> {
  if (values.mode !== 'batch' && values.mode !== 'kappa')
    throw new UsageError('--mode', 'expected batch or kappa');
  let definition: unknown;
  if (values.definition) {
    try {
      // YAML as in pipelines.yaml (JSON is YAML too): one pipeline, or a list holding one
      const parsed: unknown = parseYaml(readFileSync(values.definition, 'utf8'));
      definition = Array.isArray(parsed) && parsed.length === 1 ? parsed[0] : parsed;
    } catch (error) {
      throw new UsageError(
        '--definition',
        `cannot read ${values.definition} as YAML or JSON: ${(error as Error).message}`,
      );
    }
  }
  const started = await api.request<{ runs: RunView[] }>('POST', '/replays', {
    mode: values.mode,
    ...(values.pipeline && { pipelines: values.pipeline }),
    ...(values.from && { from: values.from }),
    ...(definition !== undefined && { pipeline: definition }),
  });
  if (!values.watch) {
    print(started.runs, () => started.runs.map(runLine).join(''));
    return 0;
  }
  const finished: RunView[] = [];
  for (const run of started.runs) {
    const bars = new PartitionBars();
    for (;;) {
      const current = await api.request<RunView>('GET', `/replays/${run.id}`);
      if (!values.json) bars.update(current);
      if (['completed', 'failed', 'cancelled'].includes(current.status)) {
        finished.push(current);
        break;
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  print(finished, () => finished.map(runLine).join(''));
  return finished.every((run) => run.status === 'completed') ? 0 : 1;
}

if (require.main === module)
  void runCli(main, {
    name: 'lk',
    usage: USAGE,
    forceExit: true,
    isUsageError: (error) => error instanceof ApiError && error.status >= 400 && error.status < 500,
    failurePrefix: 'lk',
    stack: false,
  }).then(() => undefined);
