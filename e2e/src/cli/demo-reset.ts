#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { loadStackConfig, runCli } from '@lk/common';
import { KafkaClient, speedGroupId } from '@lk/kafka';
import { parsePipelines } from '@lk/operators';
import { Database, StreamJobStore } from '@lk/store';

/**
 * What a rerun of the demo starts from: nothing of an earlier demo. Deletes the pipelines' source topics (and
 * their DLQ and late topics), their results topics and consumer groups, and every stored result, replay run,
 * comparison and serving version of the pipelines in PIPELINES_FILE. The demo stops its services first and
 * recreates the topics afterwards (`stack.sh up`), so each run tells the same story in the same time.
 */
async function main(): Promise<void> {
  const stack = loadStackConfig();
  const pipelines = parsePipelines(readFileSync(process.env.PIPELINES_FILE ?? 'pipelines.yaml', 'utf8'));
  const names = pipelines.map((p) => p.name);
  const database = new Database(stack.databaseUrl);
  const kafka = new KafkaClient({ brokers: stack.kafkaBrokers, clientId: 'lk-demo-reset' });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const runs = await database.query<{ id: string; group_id: string }>(
      'select id, group_id from replay_runs where pipeline = any($1)',
      [names],
    );
    const sources = [...new Set(pipelines.map((p) => p.source))];
    const topics = (await admin.listTopics()).filter(
      (topic) =>
        sources.some((source) => [source, `${source}.dlq`, `${source}.late`].includes(topic)) ||
        names.some((name) => topic.startsWith(`lk.window-results.${name}.v`)),
    );
    await admin.deleteGroups([...runs.map((run) => run.group_id), ...(await speedGroups(database, names))]);
    await admin.deleteTopics(topics);
    // topic deletion finishes in the background: `stack.sh up` must not find them still listed
    for (const deadline = Date.now() + 60_000; ;) {
      const left = (await admin.listTopics()).filter((topic) => topics.includes(topic));
      if (left.length === 0) break;
      if (Date.now() > deadline) throw new Error(`topics still being deleted after 60 s: ${left.join(', ')}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    const store = new StreamJobStore(database);
    for (const name of names) await store.deleteJobs(`speed:${name}:`);
    for (const run of runs) await store.deleteJobs(`batch:${run.id}`);
    for (const table of ['replay_runs', 'comparisons', 'serving_versions'])
      await database.query(`delete from ${table} where pipeline = any($1)`, [names]);
    process.stdout.write(
      `reset: ${topics.length} topics, ${runs.length} replay runs and the results of ${names.join(', ')} deleted\n`,
    );
  } finally {
    await admin.disconnect();
    await database.close();
  }
}

/** The speed layer's groups (`lk-speed-<pipeline>-v<N>`) of every version that stored something. */
async function speedGroups(database: Database, names: string[]): Promise<string[]> {
  const rows = await database.query<{ job_id: string }>(
    `select distinct job_id from partition_state where job_id like 'speed:%'`,
  );
  return rows
    .map((row) => /^speed:(.+):v(\d+)$/.exec(row.job_id))
    .filter((match): match is RegExpExecArray => match !== null && names.includes(match[1]!))
    .map((match) => speedGroupId(match[1]!, Number(match[2])));
}

void runCli(main, {
  name: 'lk-demo-reset',
  failurePrefix: 'demo reset failed',
  stack: true,
  forceExit: true,
});
