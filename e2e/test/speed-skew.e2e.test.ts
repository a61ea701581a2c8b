import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadStackConfig } from '@lk/common';
import { consumeUntil, DeadLetterHeaders } from '@lk/kafka';
import { registerUserEventSchemas, SchemaRegistryClient, type UserEvent } from '@lk/schemas';
import { SpeedScenario } from '../src/support/speed-scenario';

/**
 * `maxEventTimeSkew` through the running service: an event whose time runs further ahead of its Kafka record
 * timestamp than the bound goes to the DLQ as EventTimeSkewError — in no window and in no watermark — while
 * the events around it are counted exactly once.
 */
const scenario = new SpeedScenario('speed-skew');
const hour = 3_600_000;

beforeAll(async () => {
  scenario.writePipelines(scenario.pipelinesFile, (text) =>
    text.replaceAll('  allowedLateness:', '  maxEventTimeSkew: 1h\n  allowedLateness:'),
  );
  await scenario.createTopics();
});
afterAll(() => scenario.cleanup());

describe('speed layer with maxEventTimeSkew', () => {
  it('dead-letters events too far ahead of their record timestamp and counts the others once', async () => {
    const registry = new SchemaRegistryClient(loadStackConfig().schemaRegistryUrl);
    // under the topic's own subject, as a standard serializer registers (TopicNameStrategy)
    const schemaId = (await registerUserEventSchemas(registry, `${scenario.topic}-value`)).latest;
    const recordTime = Date.UTC(2026, 5, 1, 12, 0, 0);
    const event = (i: number, ahead: number): UserEvent => ({
      event_id: `skew-${i}`,
      user_id: `user-${i % 7}`,
      event_type: 'click',
      amount: 1,
      ts: recordTime + i * 1_000 + ahead,
      country: null,
    });
    // every 10th event claims a time 2 h ahead of its record timestamp (the bound is 1 h); the second to last
    // sits exactly at the bound and counts (last, so its watermark makes nothing after it late)
    const events = Array.from({ length: 200 }, (_, i) =>
      event(i, i % 10 === 9 ? 2 * hour : i === 198 ? hour : 0),
    );
    const skewed = events.filter((e) => e.ts - (recordTime + Number(e.event_id.slice(5)) * 1_000) > hour);
    const producer = scenario.kafka.producer();
    await producer.connect();
    await producer.send(
      scenario.topic,
      await Promise.all(
        events.map(async (e, i) => ({
          key: e.user_id,
          value: await registry.encode(schemaId, e),
          timestamp: recordTime + i * 1_000,
        })),
      ),
    );
    await producer.disconnect();
    const speed = scenario.startSpeed(1);
    await scenario.caughtUp(1);
    const tumbling = scenario.pipelines.find((p) => p.window.type === 'tumbling')!;
    const rows = await scenario.storedResults(tumbling, 1);
    const counted = rows.reduce((sum, row) => sum + (row.values.events ?? 0), 0);
    expect(counted).toBe(events.length - skewed.length);
    expect(await scenario.storedLate(tumbling, 1)).toEqual([]);
    const letters = await consumeUntil(scenario.kafka, {
      topics: [`${scenario.topic}.dlq`],
      groupId: `lk-speed-skew-dlq-${scenario.suffix}`,
      done: (records) => records.length >= skewed.length * scenario.pipelines.length,
    });
    expect(letters).toHaveLength(skewed.length * scenario.pipelines.length);
    expect(new Set(letters.map((l) => l.headers[DeadLetterHeaders.errorClass]))).toEqual(
      new Set(['EventTimeSkewError']),
    );
    expect(speed.logLines().filter((line) => line.level === 'error')).toEqual([]);
  });
});
