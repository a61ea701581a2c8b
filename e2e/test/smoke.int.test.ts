import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadStackConfig, Logger } from '@lk/common';
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
    expect(report.produced.partition).toBe(javaDefaultPartition(report.event.user_id, 12));
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

/** Kafka's murmur2 (org.apache.kafka.common.utils.Utils.murmur2), written out independently of kafkajs. */
function javaDefaultPartition(key: string, partitions: number): number {
  const data = Buffer.from(key, 'utf8');
  const seed = 0x9747b28c;
  const m = 0x5bd1e995;
  const r = 24;
  let h = seed ^ data.length;
  const length4 = Math.floor(data.length / 4);
  for (let i = 0; i < length4; i++) {
    const i4 = i * 4;
    let k =
      (data[i4]! & 0xff) +
      ((data[i4 + 1]! & 0xff) << 8) +
      ((data[i4 + 2]! & 0xff) << 16) +
      ((data[i4 + 3]! & 0xff) << 24);
    k = Math.imul(k, m);
    k ^= k >>> r;
    k = Math.imul(k, m);
    h = Math.imul(h, m);
    h ^= k;
  }
  const tail = data.length % 4;
  const base = data.length & ~3;
  if (tail === 3) h ^= (data[base + 2]! & 0xff) << 16;
  if (tail >= 2) h ^= (data[base + 1]! & 0xff) << 8;
  if (tail >= 1) {
    h ^= data[base]! & 0xff;
    h = Math.imul(h, m);
  }
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return (h & 0x7fffffff) % partitions;
}
