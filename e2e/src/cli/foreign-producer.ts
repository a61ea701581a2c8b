#!/usr/bin/env node
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { loadStackConfig, runCli, UsageError } from '@lk/common';
import { KafkaClient, partitionForKey, type KafkaProducer } from '@lk/kafka';
import { parseDuration } from '@lk/operators';
import { registryAgentFor, SchemaRegistryClient } from '@lk/schemas';

const USAGE = `usage: lk-foreign-producer --start ISO --span DURATION [--orders N] [--clicks N] [--seed S]
                           [--orders-topic T] [--clicks-topic T] --orders-jsonl FILE --clicks-jsonl FILE

What another team's producers would write, for the demo's "bring your own topic" step:
  orders   nested Avro records (com.example.shop.Order: customer, payment.amount_cents as int, placed_at as
           timestamp-micros), registered and encoded by @kafkajs/confluent-schema-registry under
           <topic>-value (TopicNameStrategy), keyed by customer id; topic default shop.orders
  clicks   JSON objects ({"user": {"id"}, "ts", "payload": {"dwell_ms"}}), keyed by user id; default web.clicks
Event times run from --start over --span with 10 s of disorder and 1 % of events 1-10 min late. Every record
is also written to the JSONL files with its partition, offset and record timestamp (times in epoch ms), as
lk-window reads them. The topics must be new or empty: offsets are counted from 0.
`;

export const ORDER_SCHEMA = {
  type: 'record',
  name: 'Order',
  namespace: 'com.example.shop',
  fields: [
    { name: 'order_id', type: 'string' },
    {
      name: 'customer',
      type: {
        type: 'record',
        name: 'Customer',
        fields: [
          { name: 'id', type: 'string' },
          { name: 'country', type: ['null', 'string'], default: null },
        ],
      },
    },
    {
      name: 'payment',
      type: {
        type: 'record',
        name: 'Payment',
        fields: [
          { name: 'amount_cents', type: 'int' },
          { name: 'currency', type: 'string' },
        ],
      },
    },
    { name: 'placed_at', type: { type: 'long', logicalType: 'timestamp-micros' } },
  ],
};

const PARTITIONS_DEFAULT = 12;
const COUNTRIES = ['DE', 'FR', 'PL', 'NL', 'ES', 'IT'];

/** A deterministic pseudo-random sequence (the same seed, the same records). */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1_664_525 + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

/** Event times in order over the span, with disorder, and now and then one pushed back beyond it (late). */
function eventTimes(count: number, start: number, span: number, next: () => number): number[] {
  return Array.from({ length: count }, (_, i) => {
    const base = start + Math.floor((i * span) / Math.max(count, 1));
    const late = next() < 0.01 ? -(60_000 + Math.floor(next() * 540_000)) : 0;
    return base + Math.floor(next() * 20_000) - 10_000 + late;
  });
}

interface Outgoing {
  key: string;
  value: Buffer;
  timestamp: number;
  /** the record as lk-window reads it */
  line: Record<string, unknown>;
}

/** Sends in order, each key to its partition as Kafka's default partitioner places it; writes the JSONL. */
async function produce(
  producer: KafkaProducer,
  topic: string,
  partitions: number,
  records: Outgoing[],
  jsonl: WriteStream,
): Promise<void> {
  const offsets = new Array<number>(partitions).fill(0);
  for (let i = 0; i < records.length; i += 1_000) {
    const batch = records.slice(i, i + 1_000).map((record) => {
      const partition = partitionForKey(record.key, partitions);
      const offset = offsets[partition]!++;
      return { record, partition, offset };
    });
    await producer.send(
      topic,
      batch.map(({ record, partition }) => ({
        key: record.key,
        value: record.value,
        partition,
        timestamp: record.timestamp,
      })),
    );
    const lines = batch.map(({ record, partition, offset }) =>
      JSON.stringify({ ...record.line, partition, offset, timestamp: record.timestamp }),
    );
    if (!jsonl.write(`${lines.join('\n')}\n`)) await once(jsonl, 'drain');
  }
  jsonl.end();
  await once(jsonl, 'finish');
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      start: { type: 'string' },
      span: { type: 'string' },
      orders: { type: 'string', default: '20000' },
      clicks: { type: 'string', default: '20000' },
      seed: { type: 'string', default: '7' },
      'orders-topic': { type: 'string', default: 'shop.orders' },
      'clicks-topic': { type: 'string', default: 'web.clicks' },
      'orders-jsonl': { type: 'string' },
      'clicks-jsonl': { type: 'string' },
    },
  });
  const start = Date.parse(values.start ?? '');
  if (!Number.isFinite(start)) throw new UsageError('--start', `expected an ISO time, got ${values.start}`);
  const span = parseDuration(values.span ?? '');
  if (span === undefined) throw new UsageError('--span', `expected a duration like 2h, got ${values.span}`);
  const counts = { orders: Number(values.orders), clicks: Number(values.clicks) };
  for (const [flag, count] of Object.entries(counts))
    if (!Number.isSafeInteger(count) || count < 0)
      throw new UsageError(`--${flag}`, `expected a count >= 0, got ${count}`);
  if (!values['orders-jsonl'])
    throw new UsageError('--orders-jsonl', 'the JSONL record of the orders is required');
  if (!values['clicks-jsonl'])
    throw new UsageError('--clicks-jsonl', 'the JSONL record of the clicks is required');

  const stack = loadStackConfig();
  const apiBase = SchemaRegistryClient.confluentApiBase(stack.schemaRegistryUrl);
  const registry = new SchemaRegistry({ host: apiBase, agent: registryAgentFor(apiBase) });
  const ordersTopic = values['orders-topic'];
  const clicksTopic = values['clicks-topic'];
  const { id } = await registry.register(
    { type: SchemaType.AVRO, schema: JSON.stringify(ORDER_SCHEMA) },
    { subject: `${ordersTopic}-value` },
  );

  const next = random(Number(values.seed));
  const orders = eventTimes(counts.orders, start, span, next).map((ms, i) => ({
    order_id: `o-${i}`,
    customer: {
      id: `cust-${String(Math.floor(next() ** 2 * 500)).padStart(4, '0')}`,
      country: next() < 0.15 ? null : COUNTRIES[Math.floor(next() * COUNTRIES.length)]!,
    },
    payment: { amount_cents: 99 + Math.floor(next() * 25_000), currency: 'EUR' },
    placed_at: ms * 1000 + Math.floor(next() * 1000),
  }));
  const clicks = eventTimes(counts.clicks, start, span, next).map((ts) => ({
    user: { id: `u-${String(Math.floor(next() * 300)).padStart(3, '0')}`, agent: 'Mozilla/5.0' },
    ts,
    payload: { page: '/cart', dwell_ms: next() < 0.1 ? null : Math.floor(next() * 30_000) },
  }));

  const kafka = new KafkaClient({ brokers: stack.kafkaBrokers, clientId: 'lk-foreign-producer' });
  const producer = kafka.producer();
  const admin = kafka.admin();
  await Promise.all([producer.connect(), admin.connect()]);
  try {
    const partitionsOf = async (topic: string) =>
      (await admin.describeTopic(topic, [])).partitions || PARTITIONS_DEFAULT;
    await produce(
      producer,
      ordersTopic,
      await partitionsOf(ordersTopic),
      await Promise.all(
        orders.map(async (order) => ({
          key: order.customer.id,
          value: await registry.encode(id, order),
          timestamp: Math.floor(order.placed_at / 1000),
          line: { ...order, placed_at: Math.floor(order.placed_at / 1000) },
        })),
      ),
      createWriteStream(values['orders-jsonl']),
    );
    await produce(
      producer,
      clicksTopic,
      await partitionsOf(clicksTopic),
      clicks.map((click) => ({
        key: click.user.id,
        value: Buffer.from(JSON.stringify(click)),
        timestamp: click.ts,
        line: click,
      })),
      createWriteStream(values['clicks-jsonl']),
    );
  } finally {
    await Promise.allSettled([producer.disconnect(), admin.disconnect()]);
  }
  process.stdout.write(
    `${counts.orders} orders (Avro, schema id ${id} under ${ordersTopic}-value) to ${ordersTopic}, ` +
      `${counts.clicks} clicks (JSON) to ${clicksTopic}\n`,
  );
  return 0;
}

void runCli(main, { name: 'lk-foreign-producer', usage: USAGE, forceExit: true });
