#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { loadStackConfig, runCli, UsageError } from '@lk/common';
import { KafkaClient } from '@lk/kafka';
import { Database, StreamJobStore } from '@lk/store';
import { readPipelinesFile, speedJobId } from '@lk/streaming';

const USAGE = `usage: lk-speed-report [--pipelines FILE] [--version N] [--wait SECONDS] [--rows N]

Where each pipeline's speed job (speed:<pipeline>:v<N>) stands: records consumed against the log end, open and
final windows, late events, and the first result rows of each. With --wait it first waits, up to SECONDS, until
every job has consumed its whole topic as it was when the command started (exit 1 if one has not).`;

async function main(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        pipelines: { type: 'string', default: process.env.PIPELINES_FILE ?? './pipelines.yaml' },
        version: { type: 'string', default: '1' },
        wait: { type: 'string', default: '0' },
        rows: { type: 'string', default: '3' },
      },
    }));
  } catch (error) {
    throw new UsageError('arguments', (error as Error).message);
  }
  const version = Number(values.version);
  const waitSeconds = Number(values.wait);
  const rows = Number(values.rows);
  if (!Number.isInteger(version) || version < 1)
    throw new UsageError('--version', 'expected an integer >= 1');
  if (!(waitSeconds >= 0)) throw new UsageError('--wait', 'expected seconds >= 0');
  if (!Number.isInteger(rows) || rows < 0) throw new UsageError('--rows', 'expected an integer >= 0');
  const pipelines = readPipelinesFile(values.pipelines, '--pipelines');
  const stack = loadStackConfig();
  const database = new Database(stack.databaseUrl, { applicationName: 'lk-speed-report' });
  const admin = new KafkaClient({ brokers: stack.kafkaBrokers, clientId: 'lk-speed-report' }).admin();
  await admin.connect();
  try {
    const ends = new Map<string, number>();
    for (const topic of new Set(pipelines.map((p) => p.source)))
      ends.set(
        topic,
        [...(await admin.endOffsets(topic)).values()].reduce((sum, o) => sum + Number(o), 0),
      );
    const store = new StreamJobStore(database);
    const consumed = async (jobId: string): Promise<number> => (await store.consumed([jobId])).get(jobId)!;
    const deadline = Date.now() + waitSeconds * 1000;
    let behind = pipelines.filter(() => true);
    while (waitSeconds > 0) {
      const checks = await Promise.all(
        behind.map(async (p) => (await consumed(speedJobId(p.name, version))) < ends.get(p.source)!),
      );
      behind = behind.filter((_, i) => checks[i]);
      if (behind.length === 0 || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    for (const pipeline of pipelines) {
      const jobId = speedJobId(pipeline.name, version);
      const [counts] = await database.query<{ open: string; final: string; late: string }>(
        `select count(*) filter (where not final) as open, count(*) filter (where final) as final,
                (select count(*) from late_events where job_id = $1) as late
         from window_results where job_id = $1`,
        [jobId],
      );
      process.stdout.write(
        `${jobId}: consumed ${await consumed(jobId)} of ${ends.get(pipeline.source)} records of ` +
          `${pipeline.source}; windows: ${counts!.final} final, ${counts!.open} open; late (event, window): ${counts!.late}\n`,
      );
      const sample = await database.query<{
        key: string;
        window_start: string;
        window_end: string;
        values: unknown;
        revision: number;
        final: boolean;
      }>(
        `select key, window_start, window_end, values, revision, final from window_results where job_id = $1
         order by updated_at desc, key limit $2`,
        [jobId, rows],
      );
      for (const row of sample)
        process.stdout.write(
          `  ${row.key} [${new Date(Number(row.window_start)).toISOString()}, ` +
            `${new Date(Number(row.window_end)).toISOString()}) ${JSON.stringify(row.values)} ` +
            `revision ${row.revision}${row.final ? ', final' : ', open'}\n`,
        );
    }
    if (waitSeconds > 0 && behind.length > 0) {
      process.stderr.write(
        `lk-speed-report: not caught up within ${waitSeconds}s: ${behind.map((p) => p.name).join(', ')}\n`,
      );
      return 1;
    }
    return 0;
  } finally {
    await admin.disconnect();
    await database.close();
  }
}

void runCli(main, { name: 'lk-speed-report', usage: USAGE });
