import { afterAll, describe, expect, it } from 'vitest';
import { Logger, loadStackConfig } from '@lk/common';
import { Database } from '@lk/store';

const lines: string[] = [];
const database = new Database(loadStackConfig().databaseUrl, {
  applicationName: 'lk-store-idle-drop-test',
  logger: new Logger('store', {}, 'warn', (line) => lines.push(line)),
});

afterAll(() => database.close());

describe('Database', () => {
  it('survives the server dropping its idle connections (a restart) and reconnects on the next query', async () => {
    await database.query('select 1');
    // what a Postgres restart does to every connection: terminated by the server while idle in the pool
    const admin = new Database(loadStackConfig().databaseUrl);
    await admin.query(
      `select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'lk-store-idle-drop-test'`,
    );
    await admin.close();
    // the pool learns of it when the socket closes, a moment later (longer on a loaded machine)
    const lost = () => lines.some((line) => line.includes('idle Postgres connection lost'));
    const deadline = Date.now() + 5_000;
    while (!lost() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(lost()).toBe(true);
    await expect(database.query<{ one: number }>('select 1 as one')).resolves.toEqual([{ one: 1 }]);
  });

  it('fails a transaction whose connection the server drops mid-way, without an unhandled error', async () => {
    const admin = new Database(loadStackConfig().databaseUrl);
    const outcome = database.transaction(async (client) => {
      await client.query('select 1');
      // the work awaits something else (a Kafka send in a flush) while the server ends the connection
      await admin.query(
        `select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'lk-store-idle-drop-test'`,
      );
      await new Promise((r) => setTimeout(r, 200));
    });
    await expect(outcome).rejects.toThrow(/terminat/i);
    await admin.close();
    await expect(database.query<{ one: number }>('select 1 as one')).resolves.toEqual([{ one: 1 }]);
  });
});
