#!/usr/bin/env node
import { Logger, loadStackConfig } from '@lk/common';
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

main().catch((error: unknown) => {
  process.stderr.write(`migration failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
