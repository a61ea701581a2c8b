#!/usr/bin/env node
import { Logger, loadStackConfig, runCli } from '@lk/common';
import { Database } from '../database';
import { migrate } from '../migrator';

async function main(): Promise<void> {
  const logger = new Logger('store');
  const database = new Database(loadStackConfig().databaseUrl, { applicationName: 'lk-migrate' });
  try {
    const applied = await migrate(database);
    logger.info('migrations applied', { applied, count: applied.length });
  } finally {
    await database.close();
  }
}

void runCli(main, { name: 'lk-migrate', failurePrefix: 'migration failed' });
