import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { loadStackConfig } from '@lk/common';
import { Database, MIGRATIONS_DIR, migrate } from '@lk/store';

const database = new Database(loadStackConfig().databaseUrl);
const table = `lk_store_test_${randomUUID().slice(0, 8)}`;

afterAll(async () => {
  await database.query(`drop table if exists ${table}`);
  await database.query(`delete from schema_migrations where name like $1`, [`%${table}%`]);
  await database.close();
});

describe('Database.transaction', () => {
  it('commits when the work resolves and rolls everything back when it throws', async () => {
    await database.query(`create table ${table} (id integer primary key)`);
    await database.transaction(async (client) => {
      await client.query(`insert into ${table} values (1), (2)`);
    });
    await expect(
      database.transaction(async (client) => {
        await client.query(`insert into ${table} values (3)`);
        await client.query(`insert into ${table} values (1)`); // duplicate key: the whole transaction fails
      }),
    ).rejects.toThrow(/duplicate key/);
    const rows = await database.query<{ id: number }>(`select id from ${table} order by id`);
    expect(rows.map((r) => r.id)).toEqual([1, 2]);
  });
});

describe('migrate', () => {
  it('has applied the repository migrations, and a second run applies nothing', async () => {
    await migrate(database);
    expect(await migrate(database)).toEqual([]);
    const applied = await database.query<{ name: string }>('select name from schema_migrations');
    expect(applied.map((r) => r.name)).toContain('001_window_results.sql');
    expect(MIGRATIONS_DIR).toMatch(/libs\/store\/migrations$/);
  });

  it('applies new files in name order, each once, and a failing one leaves nothing applied', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lk-migrations-'));
    writeFileSync(join(dir, `002_${table}_b.sql`), `alter table ${table} add column note text;`);
    writeFileSync(join(dir, `001_${table}_a.sql`), `insert into ${table} values (10);`);
    expect(await migrate(database, dir)).toEqual([`001_${table}_a.sql`, `002_${table}_b.sql`]);
    expect(await migrate(database, dir)).toEqual([]);

    writeFileSync(
      join(dir, `003_${table}_c.sql`),
      `insert into ${table} values (11); select no_such_function();`,
    );
    await expect(migrate(database, dir)).rejects.toThrow(/no_such_function/);
    const ids = await database.query<{ id: number }>(`select id from ${table} where id >= 10 order by id`);
    expect(ids.map((r) => r.id)).toEqual([10]);
  });
});
