import type { Database } from '../database';

/** The tables every job writes to at each flush, and deletes from when it is dropped: the ones that churn. */
const CHURNING_TABLES = ['window_results', 'late_events', 'session_frontiers', 'partition_state'] as const;

export interface CompactedTable {
  table: string;
  deadRows: number;
  liveRows: number;
  ms: number;
}

/**
 * Rewrites (VACUUM FULL) each churning job table whose dead rows outnumber its live ones by at least
 * `minDeadRows`, and returns what it did. Upserts and deleted jobs leave dead rows behind; on a server whose
 * autovacuum is off (this project's test machine ships so) they are never reclaimed, and every scan reads
 * them: window_results grew to 5.7 GB holding 8.8 M dead rows for 0.66 M live ones. A table a running service
 * holds locked is left alone (lock_timeout), never waited for.
 */
export async function compactJobTables(database: Database, minDeadRows = 100_000): Promise<CompactedTable[]> {
  const stats = await database.query<{ table: string; dead: string; live: string }>(
    `select relname as table, n_dead_tup as dead, n_live_tup as live from pg_stat_user_tables
     where relname = any($1)`,
    [[...CHURNING_TABLES]],
  );
  const compacted: CompactedTable[] = [];
  for (const { table, dead, live } of stats) {
    const deadRows = Number(dead);
    const liveRows = Number(live);
    if (deadRows < minDeadRows || deadRows <= liveRows) continue;
    const started = performance.now();
    // a session of its own: VACUUM cannot run in a transaction, and the lock timeout must not outlive it
    const client = await database.pool.connect();
    try {
      await client.query("set lock_timeout = '5s'");
      await client.query(`vacuum (full, analyze) ${table}`);
    } catch (error) {
      if ((error as { code?: string }).code === '55P03') continue; // lock_not_available: in use, next time
      throw error;
    } finally {
      await client.query('reset lock_timeout').catch(() => undefined);
      client.release();
    }
    compacted.push({ table, deadRows, liveRows, ms: Math.round(performance.now() - started) });
  }
  return compacted;
}
