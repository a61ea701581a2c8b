import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadStackConfig, Logger } from '@lk/common';
import { partitionForKey } from '@lk/kafka';
import { Database } from '@lk/store';
import { runSmokeFlow, type SmokeReport } from '../src/smoke-flow';

const config = loadStackConfig();

describe('smoke flow against the real stack', () => {
  let report: SmokeReport;
  let database: Database;
  const logged: string[] = [];

  beforeAll(async () => {
    database = new Database(config.databaseUrl);
    report = await runSmokeFlow(config, new Logger('smoke', {}, 'info', (line) => logged.push(line)));
  });
  afterAll(async () => {
    await database?.close();
  });

  it('reads back through Kafka + Avro exactly the event it produced', () => {
    expect(report.consumed.decoded).toEqual(report.event);
    expect(report.consumed.partition).toBe(report.produced.partition);
    expect(report.consumed.offset).toBe(report.produced.offset);
  });

  it('wrote the decoded event to PostgreSQL', () => {
    expect(report.row).toMatchObject({
      event_id: report.event.event_id,
      user_id: report.event.user_id,
      amount: report.event.amount,
      ts: String(report.event.ts),
      country: report.event.country,
      kafka_partition: report.produced.partition,
    });
  });

  it('ran a BullMQ job in Redis whose worker read the row back', () => {
    expect(report.job.result).toEqual({ amount: report.event.amount });
  });

  it('the registry enforces BACKWARD: changing a field type is rejected, naming the field', () => {
    expect(report.incompatibleSchemaRejection).toMatch(/compatibility BACKWARD/);
    expect(report.incompatibleSchemaRejection).toMatch(/field "amount"/);
  });

  it('placed the key where the Java client would: Kafka murmur2 of user_id modulo 12', () => {
    expect(report.produced.partition).toBe(partitionForKey(report.event.user_id, 12));
  });

  it('cleaned up after itself and logged one line per step', async () => {
    const rows = await database.query('select 1 from smoke_events where event_id = $1', [
      report.event.event_id,
    ]);
    expect(rows).toHaveLength(0);
    const steps = logged
      .map((line) => JSON.parse(line) as { event: string; step?: string })
      .filter((l) => l.step);
    expect(steps.map((l) => l.step)).toEqual(Object.keys(report.millis));
  });
});
