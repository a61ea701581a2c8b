#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { loadStackConfig, Logger, ProgressReporter, runCli, UsageError } from '@lk/common';
import { KafkaClient } from '@lk/kafka';
import {
  DEFAULT_CUTOVER_MAX_LAG,
  queuePrefixFrom,
  ReplayLauncher,
  ReplayNotFoundError,
  ReplayRequestError,
} from '@lk/replays';
import { Database, replayProgress, type ReplayRun } from '@lk/store';
import { readPipelinesFile } from '@lk/streaming';

const USAGE = `usage: lk-replay --mode batch|kappa --pipeline NAME [--from earliest|ISO-time] [--pipelines-file F]
                 [--definition F] [--wait]
       lk-replay status RUN_ID | cancel RUN_ID | cutover RUN_ID [--max-lag N] | rerun RUN_ID

Replays the pipeline's source topic as it is now (end offsets snapshotted at the start) on the batch workers
(node services/batch/dist/main.js): --mode batch is a Lambda batch run (results under batch:<run id>, nothing
late), --mode kappa creates the pipeline's next version (results under speed:<pipeline>:v<N+1>, the streaming
job's own semantics), with --definition F a what-if: a changed definition of the pipeline (YAML or JSON, one
pipeline, same name) for that version. Prints the run id, then progress; with --wait it exits 0 when the run
completes and 1 when it fails or is cancelled.
cutover makes a completed Kappa replay's version the serving one once it is within --max-lag records (${DEFAULT_CUTOVER_MAX_LAG})
of the log end (exit 1 with the reason when refused).`;

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        mode: { type: 'string' },
        pipeline: { type: 'string' },
        from: { type: 'string', default: 'earliest' },
        'pipelines-file': { type: 'string', default: process.env.PIPELINES_FILE ?? './pipelines.yaml' },
        definition: { type: 'string' },
        wait: { type: 'boolean', default: false },
        'max-lag': { type: 'string', default: String(DEFAULT_CUTOVER_MAX_LAG) },
      },
    });
  } catch (error) {
    throw new UsageError('arguments', (error as Error).message);
  }
  const { values, positionals } = parsed;
  const [command = 'start', runId, ...extra] = positionals;
  if (extra.length > 0) throw new UsageError('arguments', `unexpected ${extra.join(' ')}`);
  if (command !== 'start' && runId === undefined) throw new UsageError(command, 'needs a run id');
  const pipelines = readPipelinesFile(values['pipelines-file'], '--pipelines-file');
  const stack = loadStackConfig();
  const logger = new Logger('replay', {}, process.env.LOG_LEVEL ? undefined : 'warn');
  const database = new Database(stack.databaseUrl, { applicationName: 'lk-replay', logger });
  const kafka = new KafkaClient({ brokers: stack.kafkaBrokers, clientId: 'lk-replay', logger });
  const launcher = new ReplayLauncher({
    kafka,
    database,
    redisUrl: stack.redisUrl,
    pipelines,
    logger,
    queuePrefix: queuePrefixFrom(process.env),
  });
  try {
    switch (command) {
      case 'start':
        return await start(launcher, values);
      case 'status':
        printRun(await launcher.get(runId!));
        return 0;
      case 'cancel':
        printRun(await launcher.cancel(runId!));
        return 0;
      case 'rerun':
        return await follow(launcher, (await launcher.rerun(runId!)).id, values.wait);
      case 'cutover': {
        const maxLag = Number(values['max-lag']);
        if (!Number.isInteger(maxLag) || maxLag < 0)
          throw new UsageError('--max-lag', 'expected an integer >= 0');
        const serving = await launcher.cutover(runId!, maxLag);
        process.stdout.write(
          `${serving.pipeline}: version ${serving.version} serves since ${serving.since.toISOString()}\n`,
        );
        return 0;
      }
      default:
        throw new UsageError('command', `unknown "${command}"`);
    }
  } finally {
    await launcher.close();
    await database.close();
  }
}

async function start(
  launcher: ReplayLauncher,
  values: { mode?: string; pipeline?: string; from: string; definition?: string; wait: boolean },
): Promise<number> {
  if (values.mode !== 'batch' && values.mode !== 'kappa')
    throw new UsageError('--mode', 'expected batch or kappa');
  if (!values.pipeline) throw new UsageError('--pipeline', 'expected a pipeline name');
  let definition: unknown;
  if (values.definition !== undefined) {
    try {
      const parsed: unknown = parseYaml(readFileSync(values.definition, 'utf8'));
      definition = Array.isArray(parsed) && parsed.length === 1 ? parsed[0] : parsed;
    } catch (error) {
      throw new UsageError('--definition', `cannot read ${values.definition}: ${(error as Error).message}`);
    }
  }
  const run = await launcher.start({
    mode: values.mode,
    pipeline: values.pipeline,
    from: values.from,
    definition,
  });
  process.stdout.write(`${run.id}\n`);
  process.stderr.write(
    `replay ${run.id}: ${run.mode} of ${run.pipeline}${run.version === null ? '' : ` as version ${run.version}`}, ` +
      `results under ${run.jobId}, group ${run.groupId}, ${total(run)} records in ${run.partitions.length} partitions\n`,
  );
  return follow(launcher, run.id, values.wait);
}

/** Progress until the run ends (with --wait), or the run's state once (without). */
async function follow(launcher: ReplayLauncher, id: string, wait: boolean): Promise<number> {
  if (!wait) return 0;
  let bar: ProgressReporter | undefined;
  const finished = await launcher.waitFor(id, {
    onProgress: (run) => {
      bar ??= new ProgressReporter(total(run), process.stderr, undefined, `replay ${run.id}`);
      bar.update(consumed(run));
    },
  });
  bar?.finish(consumed(finished));
  printRun(finished);
  return finished.status === 'completed' ? 0 : 1;
}

function total(run: ReplayRun): number {
  return replayProgress(run).records;
}

function consumed(run: ReplayRun): number {
  return replayProgress(run).consumed;
}

function printRun(run: ReplayRun): void {
  const done = replayProgress(run).partitionsDone;
  const seconds =
    run.startedAt && run.finishedAt ? ` in ${((+run.finishedAt - +run.startedAt) / 1000).toFixed(1)} s` : '';
  process.stdout.write(
    `${run.id} ${run.status}${seconds}: ${run.mode} of ${run.pipeline} → ${run.jobId}; ` +
      `${consumed(run)}/${total(run)} records, ${done}/${run.partitions.length} partitions done` +
      `${run.error ? `; error: ${run.error}` : ''}\n`,
  );
}

if (require.main === module)
  void runCli(main, {
    name: 'lk-replay',
    usage: USAGE,
    forceExit: true,
    isUsageError: (error) => error instanceof ReplayRequestError || error instanceof ReplayNotFoundError,
    failurePrefix: 'lk-replay',
    stack: false,
  }).then(() => undefined);
