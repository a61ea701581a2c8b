#!/usr/bin/env node
import { Logger, loadStackConfig, runCli } from '@lk/common';
import { SMOKE_TOPIC, runSmokeFlow } from '../smoke-flow';

/** Runs the smoke flow against the running stack and prints what happened, step by step. */
async function main(): Promise<void> {
  const report = await runSmokeFlow(loadStackConfig(), new Logger('smoke', {}, 'warn'));
  const lines = [
    `schema registry  UserEvent v1+v2 registered under user-events-value (BACKWARD), latest id ${report.schemaId}`,
    `                 incompatible change rejected: ${report.incompatibleSchemaRejection}`,
    `kafka produce    event ${report.event.event_id} (key ${report.event.user_id}) -> ${SMOKE_TOPIC} partition ${report.produced.partition} offset ${report.produced.offset}`,
    `kafka consume    group ${report.consumed.groupId} read partition ${report.consumed.partition} offset ${report.consumed.offset}`,
    `avro decode      ${JSON.stringify(report.consumed.decoded)}`,
    `postgres         row ${JSON.stringify(report.row)}`,
    `redis / bullmq   job ${report.job.id} on ${report.job.queue} returned ${JSON.stringify(report.job.result)}`,
    `timings (ms)     ${Object.entries(report.millis)
      .map(([step, ms]) => `${step} ${ms}`)
      .join(', ')}`,
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

// forceExit: after a failure, a client of the flow may still hold a socket open
void runCli(main, { name: 'lk-smoke', failurePrefix: 'smoke flow failed', stack: true, forceExit: true });
