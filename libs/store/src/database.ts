import { Pool, type PoolClient } from 'pg';
import { Logger } from '@lk/common';

/** A pg pool with a transaction helper; the one way our code reaches PostgreSQL. */
export class Database {
  readonly pool: Pool;

  constructor(
    connectionString: string,
    options: { max?: number; applicationName?: string; logger?: Logger } = {},
  ) {
    this.pool = new Pool({
      connectionString,
      max: options.max ?? 5,
      application_name: options.applicationName,
    });
    // An idle pooled connection that the server drops (a Postgres restart, an admin's terminate) emits
    // 'error' on the pool; unhandled, that would end the process. The pool discards the client by itself,
    // and the next query opens a fresh one, so this is worth a line, not a crash.
    const logger = options.logger ?? new Logger('store');
    this.pool.on('error', (error) => logger.warn('idle Postgres connection lost', { error }));
  }

  async query<T extends Record<string, unknown> = Record<string, unknown>>(
    sql: string,
    params: unknown[] = [],
  ): Promise<T[]> {
    const result = await this.pool.query(sql, params);
    return result.rows as T[];
  }

  /** Runs work in one transaction: committed when it resolves, rolled back when it throws. */
  async transaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    // A connection the server drops while the work awaits something else (e.g. a Kafka send inside the
    // transaction) emits 'error' on the checked-out client: keep it, fail the transaction with it, and
    // destroy the client instead of returning it to the pool.
    let lost: Error | undefined;
    const onError = (error: Error): void => {
      lost = error;
    };
    client.on('error', onError);
    try {
      await client.query('begin');
      const result = await work(client);
      if (lost) throw lost;
      await client.query('commit');
      return result;
    } catch (error) {
      if (!lost) await client.query('rollback').catch(() => undefined);
      throw error;
    } finally {
      client.off('error', onError);
      client.release(lost);
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
