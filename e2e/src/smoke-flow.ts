import { randomUUID } from 'node:crypto';
import { Job, Queue, QueueEvents, Worker } from 'bullmq';
import { Logger, type StackConfig } from '@lk/common';
import { KafkaClient, consumeUntil, type ConsumedRecord } from '@lk/kafka';
import {
  SchemaIncompatibleError,
  SchemaRegistryClient,
  createUserEventDecoder,
  registerUserEventSchemas,
  USER_EVENTS_SUBJECT,
  userEventSchemas,
  type AvroRecordSchema,
  type UserEvent,
} from '@lk/schemas';
import { Database } from '@lk/store';

export interface SmokeReport {
  runId: string;
  event: UserEvent;
  schemaId: number;
  produced: { partition: number; offset: string };
  consumed: { groupId: string; partition: number; offset: string; decoded: UserEvent };
  row: Record<string, unknown>;
  job: { queue: string; id: string; result: unknown };
  incompatibleSchemaRejection: string;
  millis: Record<string, number>;
}

/**
 * The smoke flow's own topic (infra/kafka/topics): never a pipeline's source. An event stamped now in
 * `user-events` would move the watermark of its partition past the history a demo or a user writes next, and
 * the speed layer would drop that history as late.
 */
export const SMOKE_TOPIC = 'lk.smoke';

/**
 * One event through every real component: registry (register + BACKWARD check), Kafka (produce, consume in
 * a group), Avro decode, PostgreSQL (write a row), Redis (a BullMQ job). Cleans up its group, queue and row.
 */
export async function runSmokeFlow(config: StackConfig, logger = new Logger('smoke')): Promise<SmokeReport> {
  const runId = randomUUID().slice(0, 8);
  const millis: Record<string, number> = {};
  const timed = async <T>(step: string, work: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    const result = await work();
    millis[step] = Math.round(performance.now() - started);
    logger.info('smoke step done', { runId, step, ms: millis[step] });
    return result;
  };

  const registry = new SchemaRegistryClient(config.schemaRegistryUrl);
  const kafka = new KafkaClient({ brokers: config.kafkaBrokers, clientId: `lk-smoke-${runId}`, logger });
  const database = new Database(config.databaseUrl, { applicationName: 'lk-smoke' });
  const connection = redisConnection(config.redisUrl);
  const groupId = `lk-smoke-${runId}`;
  const queueName = `lk-smoke-${runId}`;

  const event: UserEvent = {
    event_id: `smoke-${runId}`,
    user_id: `smoke-user-${runId}`,
    event_type: 'purchase',
    amount: 42.5,
    ts: Date.now(),
    country: 'NL',
  };

  try {
    const [, v2] = userEventSchemas() as [AvroRecordSchema, AvroRecordSchema];
    const schemaId = await timed(
      'register schema',
      async () => (await registerUserEventSchemas(registry)).latest,
    );

    const incompatibleSchemaRejection = await timed('reject incompatible schema', async () => {
      const amountAsString: AvroRecordSchema = {
        ...v2,
        fields: v2.fields.map((field) => (field.name === 'amount' ? { ...field, type: 'string' } : field)),
      };
      try {
        await registry.register(USER_EVENTS_SUBJECT, amountAsString);
      } catch (error) {
        if (error instanceof SchemaIncompatibleError) return error.message;
        throw error;
      }
      throw new Error('the registry accepted a schema that changes amount from double to string');
    });

    const producer = kafka.producer();
    const produced = await timed('produce', async () => {
      await producer.connect();
      try {
        const value = await registry.encode(schemaId, event);
        const [position] = await producer.send(SMOKE_TOPIC, [{ key: event.user_id, value }]);
        return position!;
      } finally {
        await producer.disconnect();
      }
    });

    const record = await timed('consume in a group', async () => {
      // Start the new group exactly at our record on its partition and at the end elsewhere, so the
      // smoke flow does not read the topic's whole history.
      const admin = kafka.admin();
      await admin.connect();
      try {
        const start = await admin.endOffsets(SMOKE_TOPIC);
        start.set(produced.partition, produced.baseOffset);
        await admin.setGroupOffsets(groupId, SMOKE_TOPIC, start);
      } finally {
        await admin.disconnect();
      }
      const isOurs = (r: ConsumedRecord) =>
        r.partition === produced.partition && r.offset === produced.baseOffset;
      const records = await consumeUntil(kafka, {
        topics: [SMOKE_TOPIC],
        groupId,
        fromBeginning: false,
        done: (read) => read.some(isOurs),
      });
      return records.find(isOurs)!;
    });

    const decoded = await timed(
      'decode',
      async () => (await createUserEventDecoder(registry).decode(record.value)).value,
    );

    const row = await timed('write row', async () => {
      // smoke_events is a migration's (libs/store/migrations): created here, two first runs at once collided
      const [inserted] = await database.query(
        `insert into smoke_events values ($1, $2, $3, $4, $5, $6, $7, $8)
         on conflict (event_id) do update set amount = excluded.amount returning *`,
        [
          decoded.event_id,
          decoded.user_id,
          decoded.event_type,
          decoded.amount,
          decoded.ts,
          decoded.country,
          record.partition,
          record.offset.toString(),
        ],
      );
      return inserted!;
    });

    const job = await timed('BullMQ job', async () => {
      const queue = new Queue(queueName, { connection });
      const events = new QueueEvents(queueName, { connection });
      // The job reads the row back, so its result proves Redis → worker → PostgreSQL round-tripped.
      const worker = new Worker(
        queueName,
        async (work: Job<{ eventId: string }>) => {
          const rows = await database.query('select amount from smoke_events where event_id = $1', [
            work.data.eventId,
          ]);
          return { amount: rows[0]?.amount ?? null };
        },
        { connection },
      );
      try {
        await events.waitUntilReady();
        const added = await queue.add('read-back', { eventId: event.event_id });
        const result: unknown = await added.waitUntilFinished(events, 30_000);
        return { queue: queueName, id: added.id!, result };
      } finally {
        await worker.close();
        await events.close();
        await queue.obliterate({ force: true });
        await queue.close();
      }
    });

    return {
      runId,
      event,
      schemaId,
      produced: { partition: produced.partition, offset: produced.baseOffset.toString() },
      consumed: { groupId, partition: record.partition, offset: record.offset.toString(), decoded },
      row,
      job,
      incompatibleSchemaRejection,
      millis,
    };
  } finally {
    await database
      .query('delete from smoke_events where event_id = $1', [event.event_id])
      .catch(() => undefined);
    await database.close();
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteGroups([groupId]);
    await admin.disconnect();
  }
}

function redisConnection(redisUrl: string): { host: string; port: number; maxRetriesPerRequest: null } {
  const url = new URL(redisUrl);
  return { host: url.hostname, port: Number(url.port || 6379), maxRetriesPerRequest: null };
}
