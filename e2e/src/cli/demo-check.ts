#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadStackConfig, runCli, UsageError } from '@lk/common';
import { parsePipelines, type Pipeline } from '@lk/operators';
import { Database } from '@lk/store';
import { speedJobId } from '@lk/streaming';
import { GroundTruth } from '../support/ground-truth';

const USAGE = `usage: lk-demo-check --mode stream|batch --events EVENTS.jsonl [--pipelines FILE] [--pipeline NAME]
                     [--source TOPIC] [--version N]

The demo's self-check: for every pipeline of FILE (default pipelines.yaml) that reads TOPIC (default
user-events), the rows and late events a job stored in PostgreSQL against \`lk-window --mode <mode>\` over
EVENTS.jsonl (the producer's record of that topic's log), or for the one pipeline NAME:
  --mode stream   the speed layer's version N (default 1), which must have caught up with the log
  --mode batch    the pipeline's latest completed Lambda batch run
Prints one line per pipeline; exit 0 when every one is equal, 1 when any differs, 2 on a usage error.
`;

const count = (n: number): string => n.toLocaleString('en-US').replaceAll(',', ' ');

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      mode: { type: 'string' },
      events: { type: 'string' },
      pipelines: { type: 'string', default: 'pipelines.yaml' },
      pipeline: { type: 'string' },
      source: { type: 'string', default: 'user-events' },
      version: { type: 'string', default: '1' },
    },
  });
  const mode = values.mode;
  if (mode !== 'stream' && mode !== 'batch')
    throw new UsageError('--mode', `expected stream or batch, got ${JSON.stringify(mode)}`);
  if (!values.events) throw new UsageError('--events', 'the generator JSONL of the log is required');
  const version = Number(values.version);
  if (!Number.isInteger(version) || version < 1)
    throw new UsageError('--version', `expected an integer >= 1, got ${values.version}`);
  const pipelines = parsePipelines(readFileSync(values.pipelines, 'utf8')).filter((pipeline) =>
    values.pipeline === undefined ? pipeline.source === values.source : pipeline.name === values.pipeline,
  );
  if (pipelines.length === 0)
    throw new UsageError(
      values.pipeline === undefined ? '--source' : '--pipeline',
      values.pipeline === undefined
        ? `no pipeline of ${values.pipelines} reads ${JSON.stringify(values.source)}`
        : `no pipeline named ${JSON.stringify(values.pipeline)} in ${values.pipelines}`,
    );
  const database = new Database(loadStackConfig().databaseUrl, { applicationName: 'lk-demo-check' });
  const truth = new GroundTruth(database);
  let differing = 0;
  try {
    for (const pipeline of pipelines) {
      const job =
        mode === 'stream'
          ? { id: speedJobId(pipeline.name, version), what: `speed layer v${version}` }
          : await latestBatchRun(database, pipeline);
      const expected = GroundTruth.expected(values.pipelines, pipeline.name, mode, values.events);
      const stored = await truth.storedResultsOf(job.id);
      const late = await truth.storedLateOf(job.id);
      const equalRows = GroundTruth.equalRows(pipeline, stored, expected.results);
      const expectedLate = new Set(expected.late);
      const equalLate = late.filter((id) => expectedLate.has(id)).length;
      const equal =
        equalRows === expected.results.length &&
        stored.length === expected.results.length &&
        equalLate === expected.late.length &&
        late.length === expected.late.length;
      process.stdout.write(
        `${pipeline.name}: ${job.what} ${equal ? '=' : '≠'} lk-window --mode ${mode} on the same log: ` +
          `${count(equalRows)}/${count(expected.results.length)} windows equal` +
          (stored.length === expected.results.length ? '' : ` (${count(stored.length)} stored)`) +
          `, ${count(equalLate)}/${count(expected.late.length)} late events` +
          (late.length === expected.late.length ? '' : ` (${count(late.length)} stored)`) +
          '\n',
      );
      if (!equal) {
        differing++;
        for (const difference of GroundTruth.differingRows(pipeline, stored, expected.results))
          process.stdout.write(`  ${difference}\n`);
      }
    }
  } finally {
    await database.close();
  }
  if (differing > 0) {
    process.stdout.write(
      `FAILED: ${differing} of ${pipelines.length} pipelines differ from the ground truth\n`,
    );
    return 1;
  }
  return 0;
}

/** The pipeline's latest completed batch run: its job id, and how it is named. */
async function latestBatchRun(database: Database, pipeline: Pipeline): Promise<{ id: string; what: string }> {
  const [run] = await database.query<{ id: string; job_id: string }>(
    `select id, job_id from replay_runs where pipeline = $1 and mode = 'batch' and status = 'completed'
     order by finished_at desc limit 1`,
    [pipeline.name],
  );
  if (!run) throw new Error(`${pipeline.name}: no completed batch run to check`);
  return { id: run.job_id, what: `batch run ${run.id}` };
}

void runCli(main, { name: 'lk-demo-check', usage: USAGE, forceExit: true });
