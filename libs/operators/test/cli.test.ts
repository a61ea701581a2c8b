import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/lk-window';

const PIPELINES = `
- name: activity_1m
  source: user-events
  key: user_id
  time: ts
  window: { type: tumbling, size: 1m }
  watermark: { maxOutOfOrderness: 10s }
  allowedLateness: 1m
  aggregations: [ {name: events, fn: count}, {name: amount_sum, fn: sum, field: amount},
                  {name: amount_max, fn: max, field: amount}, {name: types, fn: count_distinct, field: event_type} ]
- name: sessions
  source: user-events
  key: user_id
  time: ts
  window: { type: session, gap: 30s }
  aggregations: [ {name: events, fn: count} ]
`;

const dir = mkdtempSync(join(tmpdir(), 'lk-window-'));
const file = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

function capture(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return { stream, text: () => chunks.join('') };
}

async function lkWindow(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = capture();
  const stderr = capture();
  const code = await main(args, { stdout: stdout.stream, stderr: stderr.stream });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

const EVENTS = 100_000;
let pipelines: string;
let events: string;

beforeAll(() => {
  pipelines = file('pipelines.yaml', PIPELINES);
  // 2,000 users over 4 partitions, ~4 events/s of event time, a few arriving minutes late.
  const lines: string[] = [];
  let seed = 42;
  const random = (): number => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  for (let i = 0; i < EVENTS; i++) {
    const user = Math.floor(random() * 2_000);
    const delay = random() < 0.01 ? Math.floor(random() * 300_000) : Math.floor(random() * 5_000);
    const event = {
      event_id: `e${i}`,
      user_id: `u${user}`,
      event_type: ['view', 'click', 'buy'][user % 3],
      amount: (i % 100) + 1,
      ts: 1_700_000_000_000 + i * 250 - delay,
      partition: user % 4,
    };
    lines.push(JSON.stringify(event));
  }
  events = file('events.jsonl', `${lines.join('\n')}\n`);
});

interface Row {
  key: string;
  window_start: number;
  window_end: number;
  values: Record<string, number>;
  final: boolean;
  revision: number;
}

const parseJsonl = <T>(text: string): T[] =>
  text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as T);

describe('lk-window', () => {
  it(`runs a ${EVENTS / 1000}k-event file in batch mode: every event counted, every window final`, async () => {
    const { code, stdout, stderr } = await lkWindow([
      '--pipelines',
      pipelines,
      '--pipeline',
      'activity_1m',
      '--mode',
      'batch',
      '--input',
      events,
    ]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const rows = parseJsonl<Row>(stdout);
    expect(Object.keys(rows[0]!)).toEqual([
      'pipeline',
      'key',
      'window_start',
      'window_end',
      'values',
      'final',
      'revision',
    ]);
    expect(rows.every((r) => r.final && r.revision === r.values['events']! + 1)).toBe(true);
    expect(rows.reduce((n, r) => n + r.values['events']!, 0)).toBe(EVENTS);
    const order = rows.map((r) => [r.key, r.window_start, r.window_end] as const);
    const sorted = [...order].sort((a, b) =>
      a[0] !== b[0] ? (a[0] < b[0] ? -1 : 1) : a[1] - b[1] || a[2] - b[2],
    );
    expect(order).toEqual(sorted);
  });

  it('runs it in stream mode: results + late lines account for every event', async () => {
    const late = join(dir, 'late.jsonl');
    const { code, stdout } = await lkWindow([
      '--pipelines',
      pipelines,
      '--pipeline',
      'activity_1m',
      '--mode',
      'stream',
      '--input',
      events,
      '--late',
      late,
    ]);
    expect(code).toBe(0);
    const rows = parseJsonl<Row>(stdout);
    const lateLines = parseJsonl<{ event: { user_id: string }; window_start: number; watermark: number }>(
      readFileSync(late, 'utf8'),
    );
    expect(lateLines.length).toBeGreaterThan(0);
    expect(Object.keys(lateLines[0]!)).toEqual(['event', 'window_start', 'window_end', 'watermark']);
    expect(rows.reduce((n, r) => n + r.values['events']!, 0) + lateLines.length).toBe(EVENTS);
    expect(rows.some((r) => r.final) && rows.some((r) => !r.final)).toBe(true);
  });

  it('runs session pipelines too', async () => {
    const { code, stdout } = await lkWindow([
      '--pipelines',
      pipelines,
      '--pipeline',
      'sessions',
      '--mode',
      'batch',
      '--input',
      events,
    ]);
    expect(code).toBe(0);
    expect(parseJsonl<Row>(stdout).reduce((n, r) => n + r.values['events']!, 0)).toBe(EVENTS);
  });

  it.each([
    ['{"user_id":"u1","ts":1}\n{"user_id":"u1",\n', 'line 2: not valid JSON'],
    ['{"user_id":"u1","ts":1}\n\n', 'line 2: not valid JSON'],
    ['[1,2]\n', 'line 1: expected a JSON object, got [1,2]'],
    [
      '{"user_id":"u1","ts":1,"partition":-1}\n',
      'line 1: "partition": expected a non-negative integer, got -1',
    ],
    [
      '{"user_id":"u1","ts":"yesterday"}\n',
      'line 1: pipeline "sessions": event field "ts": expected epoch milliseconds',
    ],
    [
      '{"user_id":"u1","ts":1}\n{"user_id":"u1","ts":2,"partition":1}\n',
      'line 2: key "u1" is on partition 1 but was on 0',
    ],
  ])('stops with exit code 2 and the line number on a malformed line: %j', async (input, message) => {
    const { code, stdout, stderr } = await lkWindow([
      '--pipelines',
      pipelines,
      '--pipeline',
      'sessions',
      '--mode',
      'stream',
      '--input',
      file('bad.jsonl', input),
    ]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain(`lk-window: ${message}`);
  });

  it('exits 1 with a message on bad usage or configuration', async () => {
    expect((await lkWindow(['--pipelines', pipelines])).stderr).toContain(
      '--pipelines, --pipeline, --mode and --input are required',
    );
    const unknown = await lkWindow([
      '--pipelines',
      pipelines,
      '--pipeline',
      'nope',
      '--mode',
      'batch',
      '--input',
      events,
    ]);
    expect(unknown).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('pipeline "nope": name: expected one of'),
    });
    const mode = await lkWindow([
      '--pipelines',
      pipelines,
      '--pipeline',
      'sessions',
      '--mode',
      'replay',
      '--input',
      events,
    ]);
    expect(mode).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('--mode must be stream or batch'),
    });
    expect((await lkWindow(['--help'])).stdout).toContain('usage: lk-window');
  });
});
