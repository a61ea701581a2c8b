import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Database } from './database';

export const MIGRATIONS_DIR = join(__dirname, '..', 'migrations');

/** An arbitrary constant: serializes concurrent migrators (several services start at once). */
const MIGRATION_LOCK_ID = 7_041_1984;

/**
 * Applies the pending migrations/NNN_*.sql in name order, once each, all in one transaction: a failing file
 * leaves none of this run applied. Returns the names applied now.
 */
export async function migrate(database: Database, directory = MIGRATIONS_DIR): Promise<string[]> {
  const files = readdirSync(directory)
    .filter((name) => /^\d+_.+\.sql$/.test(name))
    .sort();
  return database.transaction(async (client) => {
    await client.query('select pg_advisory_xact_lock($1)', [MIGRATION_LOCK_ID]);
    await client.query(
      'create table if not exists schema_migrations (name text primary key, applied_at timestamptz not null default now())',
    );
    const applied = new Set(
      (await client.query<{ name: string }>('select name from schema_migrations')).rows.map(
        (row) => row.name,
      ),
    );
    const appliedNow: string[] = [];
    for (const file of files) {
      if (applied.has(file)) continue;
      await client.query(readFileSync(join(directory, file), 'utf8'));
      await client.query('insert into schema_migrations (name) values ($1)', [file]);
      appliedNow.push(file);
    }
    return appliedNow;
  });
}
