#!/usr/bin/env node
import { Logger, loadStackConfig, runCli } from '@lk/common';
import { Database } from '../database';
import { compactJobTables } from '../maintenance/compact-job-tables';

/** Compacts the job tables where dead rows outnumber live ones (see compactJobTables); run by `stack.sh setup`. */
async function main(): Promise<void> {
  const logger = new Logger('store');
  const database = new Database(loadStackConfig().databaseUrl, { applicationName: 'lk-compact' });
  try {
    for (const table of await compactJobTables(database)) logger.info('job table compacted', { ...table });
  } finally {
    await database.close();
  }
}

void runCli(main, { name: 'lk-compact', failurePrefix: 'compacting the job tables failed' });
