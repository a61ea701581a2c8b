import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parsePipelines } from '../src';

describe('the repository pipelines.yaml', () => {
  it('is valid and defines one pipeline of each window type over user-events', () => {
    const pipelines = parsePipelines(
      readFileSync(resolve(import.meta.dirname, '../../../pipelines.yaml'), 'utf8'),
    );
    expect(pipelines.map((p) => [p.name, p.window.type, p.source])).toEqual([
      ['user_activity_1m', 'tumbling', 'user-events'],
      ['user_activity_5m_sliding', 'sliding', 'user-events'],
      ['user_sessions', 'session', 'user-events'],
    ]);
    expect(pipelines[0]).toMatchObject({
      window: { size: 60_000 },
      watermark: { maxOutOfOrderness: 10_000 },
      allowedLateness: 60_000,
    });
  });
});
