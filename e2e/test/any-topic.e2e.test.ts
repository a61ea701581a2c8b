// Bring your own topic (issue 24): pipelines over a topic of another record type, written by a producer that is
// not ours (@kafkajs/confluent-schema-registry's encode under <topic>-value, TopicNameStrategy), and over a JSON
// topic, all run by one speed service, replayed by the batch workers, held to lk-window row for row.
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadStackConfig } from '@lk/common';
import { consumeUntil, DeadLetterHeaders, type ConsumedRecord, type KafkaProducer } from '@lk/kafka';
import { registryAgentFor, SchemaRegistryClient, type AvroRecordSchema } from '@lk/schemas';
import { SpeedScenario } from '../src/support/speed-scenario';
import { expectGroundTruth } from './support/expect-ground-truth';

const PARTITIONS = 4;
const MINUTE = 60_000;
const T0 = Date.parse('2026-03-02T08:00:00Z');

const PIPELINES = `
- name: orders_1m
  source: SOURCE
  key: customer.id
  time: placed_at
  window: { type: tumbling, size: 1m }
  watermark: { maxOutOfOrderness: 5s }
  allowedLateness: 30s
  aggregations:
    - { name: orders, fn: count }
    - { name: cents, fn: sum, field: payment.amount_cents }
    - { name: biggest, fn: max, field: payment.amount_cents }
    - { name: countries, fn: count_distinct, field: customer.country }
- name: orders_sessions
  source: SOURCE
  key: customer.id
  time: placed_at
  window: { type: session, gap: 5m }
  watermark: { maxOutOfOrderness: 5s }
  aggregations:
    - { name: orders, fn: count }
    - { name: cents, fn: sum, field: payment.amount_cents }
- name: clicks_json
  source: SOURCE.json
  format: json
  key: user.id
  time: ts
  window: { type: sliding, size: 2m, slide: 1m }
  watermark: { maxOutOfOrderness: 5s }
  allowedLateness: 30s
  aggregations:
    - { name: clicks, fn: count }
    - { name: dwell_avg, fn: avg, field: payload.dwell_ms }
- name: clicks_by_record
  source: SOURCE.json
  format: json
  key: $key
  time: $timestamp
  window: { type: tumbling, size: 1m }
  aggregations:
    - { name: clicks, fn: count }
`;

const customer = {
  type: 'record',
  name: 'Customer',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'country', type: ['null', 'string'], default: null },
  ],
};
const payment = (withAmount: boolean) => ({
  type: 'record',
  name: 'Payment',
  fields: [
    ...(withAmount ? [{ name: 'amount_cents', type: 'int' }] : []),
    { name: 'currency', type: 'string' },
  ],
});
const orderSchema = (version: 1 | 2 | 3): AvroRecordSchema =>
  ({
    type: 'record',
    name: 'Order',
    namespace: 'com.example.shop',
    fields: [
      { name: 'order_id', type: 'string' },
      { name: 'customer', type: customer },
      { name: 'payment', type: payment(version !== 3) },
      { name: 'placed_at', type: { type: 'long', logicalType: 'timestamp-micros' } },
      ...(version === 2 ? [{ name: 'coupon', type: ['null', 'string'], default: null }] : []),
    ],
  }) as unknown as AvroRecordSchema;

const stack = loadStackConfig(process.env);
const apiBase = SchemaRegistryClient.confluentApiBase(stack.schemaRegistryUrl);
/** the producer's registry client: the ecosystem's library, as another team would use it */
const foreignRegistry = new SchemaRegistry({ host: apiBase, agent: registryAgentFor(apiBase) });
const ourRegistry = new SchemaRegistryClient(stack.schemaRegistryUrl);

const scenario = new SpeedScenario('any-topic', {}, { pipelines: PIPELINES });
const ordersTopic = scenario.topic;
const clicksTopic = `${scenario.topic}.json`;
const pipeline = (name: string) => scenario.pipelines.find((p) => p.name.endsWith(`_${name}`))!;
let producer: KafkaProducer;
const subjects: string[] = [];

/** the partition of a key, as a keyed producer would pick it (any stable hash will do for the check) */
const partitionOf = (key: string) => createHash('md5').update(key).digest().readUInt32BE(0) % PARTITIONS;
const nextOffsets = new Map<string, number[]>();

/** Sends records to explicit partitions, in order, and returns each one's offset (the topics are new). */
async function send(
  topic: string,
  records: { key: string; value: Buffer; timestamp: number }[],
): Promise<{ partition: number; offset: number }[]> {
  const offsets = nextOffsets.get(topic) ?? new Array<number>(PARTITIONS).fill(0);
  nextOffsets.set(topic, offsets);
  const placed = records.map((record) => {
    const partition = partitionOf(record.key);
    return { partition, offset: offsets[partition]!++ };
  });
  for (let i = 0; i < records.length; i += 500) {
    await producer.send(
      topic,
      records.slice(i, i + 500).map((record, j) => ({
        key: record.key,
        value: record.value,
        partition: placed[i + j]!.partition,
        timestamp: record.timestamp,
      })),
    );
  }
  return placed;
}

/** A deterministic pseudo-random sequence, so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1_664_525 + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

/** Event times that move forward with disorder, and now and then an event pushed back beyond it (late). */
function eventTimes(count: number, from: number, seed: number): number[] {
  const next = random(seed);
  return Array.from({ length: count }, (_, i) => {
    const base = from + i * 150;
    const late = next() < 0.02 ? -2 * MINUTE : 0;
    return base + Math.floor(next() * 8_000) - 4_000 + late;
  });
}

/** `count` orders written with `schemaId` (of `version`), recorded for lk-window unless they must be refused. */
async function produceOrders(
  count: number,
  options: { from: number; seed: number; schemaId: number; version: 1 | 2 | 3; expected: boolean },
): Promise<void> {
  const next = random(options.seed);
  const times = eventTimes(count, options.from, options.seed + 1);
  const orders = times.map((ms, i) => {
    const id = `cust-${Math.floor(next() * 60)}`;
    const country = next() < 0.2 ? null : ['DE', 'FR', 'PL', 'NL'][Math.floor(next() * 4)]!;
    const amount = 100 + Math.floor(next() * 10_000);
    return {
      order_id: `o-${options.seed}-${i}`,
      customer: { id, country },
      payment: options.version === 3 ? { currency: 'EUR' } : { amount_cents: amount, currency: 'EUR' },
      // timestamp-micros as the producer writes it; read back as milliseconds
      placed_at: ms * 1000 + Math.floor(next() * 1000),
      ...(options.version === 2 ? { coupon: next() < 0.5 ? 'XMAS' : null } : {}),
    };
  });
  const values = await Promise.all(orders.map((order) => foreignRegistry.encode(options.schemaId, order)));
  const placed = await send(
    ordersTopic,
    orders.map((order, i) => ({ key: order.customer.id, value: values[i]!, timestamp: T0 })),
  );
  if (!options.expected) return;
  scenario.addEvents(
    orders.map((order, i) => ({
      topic: ordersTopic,
      ...placed[i],
      timestamp: T0,
      order_id: order.order_id,
      customer: order.customer,
      payment: order.payment,
      placed_at: Math.floor(order.placed_at / 1000),
    })),
  );
}

/** `count` JSON clicks; the record key (the user) and timestamp are what clicks_by_record groups and times by. */
async function produceClicks(count: number, options: { from: number; seed: number }): Promise<void> {
  const next = random(options.seed);
  const times = eventTimes(count, options.from, options.seed + 1);
  const clicks = times.map((ts) => ({
    user: { id: `u-${Math.floor(next() * 40)}`, agent: 'curl' },
    ts,
    payload: { dwell_ms: next() < 0.1 ? null : Math.floor(next() * 5_000), page: '/cart' },
    session: `s-${Math.floor(next() * 500)}`,
  }));
  const placed = await send(
    clicksTopic,
    // keyed by the user, as a pipeline keyed by user.id needs (windows are kept per partition)
    clicks.map((click) => ({
      key: click.user.id,
      value: Buffer.from(JSON.stringify(click)),
      timestamp: click.ts,
    })),
  );
  scenario.addEvents(
    clicks.map((click, i) => ({
      topic: clicksTopic,
      ...placed[i],
      timestamp: click.ts,
      $key: click.user.id,
      ...click,
    })),
  );
}

async function readAll(topic: string, count: number): Promise<ConsumedRecord[]> {
  if (count === 0) return [];
  return consumeUntil(scenario.kafka, {
    topics: [topic],
    groupId: `lk-any-topic-reader-${scenario.suffix}-${topic}`,
    done: (records) => records.length >= count,
  });
}

let v1Id: number;

beforeAll(async () => {
  producer = scenario.kafka.producer();
  await producer.connect();
  const admin = scenario.kafka.admin();
  await admin.connect();
  // only the sources: the speed service creates their dead-letter and late topics itself
  await admin.ensureTopics([
    { name: ordersTopic, partitions: PARTITIONS },
    { name: clicksTopic, partitions: PARTITIONS },
  ]);
  await admin.disconnect();
  subjects.push(`${ordersTopic}-value`);
  // the library registers under BACKWARD, which v2 (an optional field more) and v3 (a field less) both keep
  v1Id = (
    await foreignRegistry.register(
      { type: SchemaType.AVRO, schema: JSON.stringify(orderSchema(1)) },
      { subject: `${ordersTopic}-value` },
    )
  ).id;
}, 60_000);

afterAll(async () => {
  await producer?.disconnect();
  for (const subject of subjects) await ourRegistry.deleteSubject(subject).catch(() => undefined);
  await scenario.cleanup();
}, 240_000);

describe('pipelines over a foreign Avro topic and a JSON topic, in one speed service', () => {
  it('speed results equal lk-window on the same events, across a kill -9 mid-run; per-source DLQ and late topics created', async () => {
    await produceOrders(2_000, { from: T0, seed: 1, schemaId: v1Id, version: 1, expected: true });
    await produceClicks(2_000, { from: T0, seed: 2 });
    const first = scenario.startSpeed(1);
    const checked = await first.waitForLog('pipeline fields checked');
    expect(String(checked.schema)).toMatch(new RegExp(`subject ${ordersTopic}-value version 1`));
    // killed once it has stored something of every source, before it has all of it
    const jobs = scenario.pipelines.map((p) => scenario.jobId(p, 1));
    for (;;) {
      const consumed = await scenario.store.consumed(jobs);
      if (consumed.size === jobs.length && [...consumed.values()].every((n) => n > 0)) break;
      if (!first.running) throw new Error(`speed exited:\n${first.stderr.slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    await first.kill();
    await produceOrders(2_000, { from: T0 + 300_000, seed: 3, schemaId: v1Id, version: 1, expected: true });
    await produceClicks(2_000, { from: T0 + 300_000, seed: 4 });
    scenario.startSpeed(1);
    await scenario.caughtUp(1);
    for (const p of scenario.pipelines) {
      const { expected } = await expectGroundTruth(scenario, p, scenario.jobId(p, 1));
      expect(expected.results.length, p.name).toBeGreaterThan(40);
    }
    expect(scenario.expectedByLkWindow(pipeline('orders_1m')).late.length).toBeGreaterThan(0);
    // a late event is stored under the key it was placed under: read through the key's path, or the record key
    const lateKeys = await scenario.database.query<{ pipeline: string; key: string }>(
      'select distinct pipeline, key from late_events where job_id = any($1)',
      [scenario.pipelines.map((p) => scenario.jobId(p, 1))],
    );
    expect(lateKeys.length).toBeGreaterThan(0);
    for (const { pipeline: name, key } of lateKeys)
      expect(key, name).toMatch(
        name.endsWith('_by_record') || name.endsWith('_json') ? /^u-\d+$/ : /^cust-\d+$/,
      );
    const admin = scenario.kafka.admin();
    await admin.connect();
    const topics = await admin.listTopics();
    await admin.disconnect();
    for (const topic of [ordersTopic, clicksTopic])
      expect(topics).toEqual(expect.arrayContaining([`${topic}.dlq`, `${topic}.late`]));
    expect(await scenario.endOffsetTotal(`${ordersTopic}.dlq`)).toBe(0);
  }, 240_000);

  it('batch runs equal lk-window --mode batch and Kappa replays equal the live version, for both formats', async () => {
    const worker = scenario.startBatch({ BATCH_CONCURRENCY: '2' });
    await worker.waitForLog('replay worker started');
    for (const name of ['orders_1m', 'clicks_json']) {
      const p = pipeline(name);
      const batch = await scenario.replayCli(['--mode', 'batch', '--pipeline', p.name, '--wait']);
      expect(batch.code, batch.stderr).toBe(0);
      const runId = batch.stdout.split('\n')[0]!.trim();
      await expectGroundTruth(scenario, p, `batch:${runId}`, 'batch');
      // the merge service explains every difference of the batch run from the speed layer by the late events
      // the speed layer dropped, read back through the pipeline's nested paths
      const compared = await scenario.compareCli([
        ...['--pipeline', p.name, '--left', `batch:${runId}`, '--right', 'speed:v1'],
      ]);
      expect(compared.code, compared.stdout + compared.stderr).toBe(0);
      expect(compared.stdout).toMatch(/unexplained\s+0\b/);
      expect(compared.stdout).toMatch(/explained\s+[1-9]/);
      const kappa = await scenario.replayCli(['--mode', 'kappa', '--pipeline', p.name, '--wait']);
      expect(kappa.code, kappa.stderr).toBe(0);
      await expectGroundTruth(scenario, p, scenario.jobId(p, 2));
    }
    await worker.stop();
  }, 300_000);

  it('schema evolution and hostile records: refused ones go to the DLQ with the reason, the rest stays exact', async () => {
    const register = async (schema: object, subject: string) => {
      if (!subjects.includes(subject)) subjects.push(subject);
      return (
        await foreignRegistry.register({ type: SchemaType.AVRO, schema: JSON.stringify(schema) }, { subject })
      ).id;
    };
    // v2 adds an optional field: read as before
    const v2Id = await register(orderSchema(2), `${ordersTopic}-value`);
    await produceOrders(300, { from: T0 + 600_000, seed: 5, schemaId: v2Id, version: 2, expected: true });
    // v3 drops payment.amount_cents, which the pipelines read: its records are dead-lettered
    const v3Id = await register(orderSchema(3), `${ordersTopic}-value`);
    await produceOrders(40, { from: T0 + 650_000, seed: 6, schemaId: v3Id, version: 3, expected: false });
    // an id of an unrelated subject whose schema lacks every field
    const pageViewId = await register(
      { type: 'record', name: 'PageView', fields: [{ name: 'url', type: 'string' }] },
      `${ordersTopic}-unrelated-value`,
    );
    const pageViews = await Promise.all(
      Array.from({ length: 10 }, (_, i) => foreignRegistry.encode(pageViewId, { url: `/p/${i}` })),
    );
    await send(
      ordersTopic,
      pageViews.map((value, i) => ({ key: `cust-${i}`, value, timestamp: T0 })),
    );
    // JSON: 10 000 levels deep, a 60 kB key (as the value's user.id and the record key), not an object
    const deep = `{"user":{"id":"u-1"},"ts":${T0},"x":${'['.repeat(10_000)}${']'.repeat(10_000)}}`;
    const hugeKey = 'k'.repeat(60_000);
    const hostileClicks = [
      { key: 's-1', value: Buffer.from(deep), timestamp: T0 },
      {
        key: hugeKey,
        value: Buffer.from(JSON.stringify({ user: { id: hugeKey }, ts: T0, payload: { dwell_ms: 1 } })),
        timestamp: T0,
      },
      { key: 's-2', value: Buffer.from('[1,2,3]'), timestamp: T0 },
    ];
    const speed = scenario.processes.filter((p) => p.running).at(-1)!;
    const refusedAt = Date.now();
    await send(clicksTopic, hostileClicks);
    // and the stream goes on after them
    await produceOrders(300, { from: T0 + 700_000, seed: 7, schemaId: v1Id, version: 1, expected: true });
    await produceClicks(300, { from: T0 + 700_000, seed: 8 });
    await scenario.caughtUp(1);
    expect(Date.now() - refusedAt).toBeLessThan(120_000);
    expect(speed.running).toBe(true);
    for (const p of scenario.pipelines) await expectGroundTruth(scenario, p, scenario.jobId(p, 1));

    // each of the two order pipelines dead-letters the 50 refused records itself
    const orderLetters = await readAll(`${ordersTopic}.dlq`, 2 * 50);
    expect(orderLetters).toHaveLength(2 * 50);
    const reasons = orderLetters.map((letter) => letter.headers[DeadLetterHeaders.errorMessage] ?? '');
    expect(
      reasons.filter((r) => r.includes(`schema id ${v3Id},`) && r.includes('amount_cents')),
    ).toHaveLength(80);
    expect(
      reasons.filter(
        (r) => r.includes(`schema id ${pageViewId},`) && r.includes(`${ordersTopic}-unrelated-value`),
      ),
    ).toHaveLength(20);
    const clickLetters = await readAll(`${clicksTopic}.dlq`, 2 * 3);
    const clickReasons = clickLetters.map((letter) => letter.headers[DeadLetterHeaders.errorMessage] ?? '');
    expect(clickReasons.filter((r) => r.includes('deeper than 64 levels'))).toHaveLength(2);
    expect(clickReasons.filter((r) => r.includes('at most 512 characters'))).toHaveLength(2);
    expect(clickReasons.filter((r) => r.includes('an array'))).toHaveLength(2);
  }, 300_000);

  it('a pipeline naming a field its schema never had: start-up is refused, naming the pipeline, the path and the version', async () => {
    const file = join(scenario.dir, 'misnamed.yaml');
    writeFileSync(
      file,
      `- name: ${scenario.pipelinePrefix}misnamed
  source: ${ordersTopic}
  key: customer.id
  time: placed_at
  window: { type: tumbling, size: 1m }
  aggregations: [ { name: total, fn: sum, field: payment.amount } ]
`,
    );
    const refused = scenario.startSpeed(7, { PIPELINES_FILE: file });
    expect(await refused.exitCode()).toBe(1);
    const failure = refused.logLines().find((line) => line.event === 'start-up failed');
    expect(String(failure?.problem)).toMatch(
      new RegExp(
        `pipeline "${scenario.pipelinePrefix}misnamed": aggregations\\[0\\]\\.field "payment.amount": ` +
          `expected a number .* found no field "amount" in record com.example.shop.Payment .* in subject ${ordersTopic}-value version 3`,
      ),
    );
  }, 120_000);
});

describe('a source whose subject has no versions yet', () => {
  const pending = new SpeedScenario(
    'any-topic-pending',
    {},
    {
      pipelines: `
- name: orders_pending
  source: SOURCE
  key: customer.id
  time: placed_at
  window: { type: tumbling, size: 1m }
  aggregations: [ { name: orders, fn: count }, { name: cents, fn: sum, field: payment.amount_cents } ]
`,
    },
  );
  afterAll(async () => {
    for (const subject of [`${pending.topic}-value`, `${pending.topic}-staging`])
      await ourRegistry.deleteSubject(subject).catch(() => undefined);
    await pending.cleanup();
  }, 240_000);

  it('records are retried, not dead-lettered, until the subject has a version; then they are exact', async () => {
    const admin = pending.kafka.admin();
    await admin.connect();
    await admin.ensureTopics([{ name: pending.topic, partitions: PARTITIONS }]);
    await admin.disconnect();
    // the writer schema exists (under another subject), the pipeline's subject does not yet
    const { id } = await foreignRegistry.register(
      { type: SchemaType.AVRO, schema: JSON.stringify(orderSchema(1)) },
      { subject: `${pending.topic}-staging` },
    );
    const pendingProducer = pending.kafka.producer();
    await pendingProducer.connect();
    const orders = Array.from({ length: 200 }, (_, i) => ({
      order_id: `p-${i}`,
      customer: { id: `cust-${i % 7}`, country: null },
      payment: { amount_cents: i, currency: 'EUR' },
      placed_at: (T0 + i * 1_000) * 1000,
    }));
    const messages = await Promise.all(
      orders.map(async (order) => ({
        key: order.customer.id,
        value: await foreignRegistry.encode(id, order),
        partition: 0,
      })),
    );
    await pendingProducer.send(pending.topic, messages);
    await pendingProducer.disconnect();
    pending.addEvents(
      orders.map((order, offset) => ({ ...order, partition: 0, offset, placed_at: order.placed_at / 1000 })),
    );

    const speed = pending.startSpeed(1);
    await speed.waitForLog('pipeline fields not checked at start-up');
    await new Promise((r) => setTimeout(r, 8_000));
    expect(speed.running).toBe(true);
    expect(await pending.endOffsetTotal(`${pending.topic}.dlq`)).toBe(0);
    const consumed = await pending.store.consumed([pending.jobId(pending.pipelines[0]!, 1)]);
    expect([...consumed.values()].reduce((a, b) => a + b, 0)).toBe(0);

    await foreignRegistry.register(
      { type: SchemaType.AVRO, schema: JSON.stringify(orderSchema(1)) },
      { subject: `${pending.topic}-value` },
    );
    await pending.caughtUp(1, 120_000);
    await expectGroundTruth(pending, pending.pipelines[0]!, pending.jobId(pending.pipelines[0]!, 1));
    expect(await pending.endOffsetTotal(`${pending.topic}.dlq`)).toBe(0);
  }, 240_000);
});
