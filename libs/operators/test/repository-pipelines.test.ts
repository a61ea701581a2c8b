import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parsePipelines } from '../src';

describe('the repository pipelines.yaml', () => {
  it('is valid: one pipeline of each window type over user-events, and two over other teams topics', () => {
    const pipelines = parsePipelines(
      readFileSync(resolve(import.meta.dirname, '../../../pipelines.yaml'), 'utf8'),
    );
    expect(pipelines.map((p) => [p.name, p.window.type, p.source, p.format ?? 'avro'])).toEqual([
      ['user_activity_1m', 'tumbling', 'user-events', 'avro'],
      ['user_activity_5m_sliding', 'sliding', 'user-events', 'avro'],
      ['user_sessions', 'session', 'user-events', 'avro'],
      ['shop_orders_1m', 'tumbling', 'shop.orders', 'avro'],
      ['web_clicks_5m', 'tumbling', 'web.clicks', 'json'],
    ]);
    expect(pipelines[0]).toMatchObject({
      window: { size: 60_000 },
      watermark: { maxOutOfOrderness: 10_000 },
      allowedLateness: 60_000,
    });
  });
});
