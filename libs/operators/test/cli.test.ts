import {
  closeSync,
  existsSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
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
- name: bounded_skew
  source: user-events
  key: user_id
  time: ts
  window: { type: tumbling, size: 1m }
  maxEventTimeSkew: 1m
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
    const lateLines = parseJsonl<{
      event: { user_id: string };
      key: string;
      window_start: number;
      watermark: number;
    }>(readFileSync(late, 'utf8'));
    expect(lateLines.length).toBeGreaterThan(0);
    expect(Object.keys(lateLines[0]!)).toEqual(['event', 'key', 'window_start', 'window_end', 'watermark']);
    expect(lateLines.every((line) => line.key === line.event.user_id)).toBe(true);
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
      'line 1: "partition": expected a Kafka partition number (an integer from 0 to 2147483647), got -1',
    ],
    [
      '{"user_id":"u1","ts":1,"partition":2147483648}\n',
      'line 1: "partition": expected a Kafka partition number (an integer from 0 to 2147483647), got 2147483648',
    ],
    [
      '{"user_id":"u1","ts":1e300}\n',
      'line 1: pipeline "sessions": event field "ts": expected epoch milliseconds (an integer',
    ],
    [
      '{"user_id":"u1","ts":1,"timestamp":"now"}\n',
      'line 1: "timestamp": expected the record timestamp in epoch milliseconds (an integer), got "now"',
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

  it('exits 2 with a message on bad usage or configuration (the convention of every CLI here)', async () => {
    expect(await lkWindow(['--pipelines', pipelines])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--pipelines, --pipeline, --mode and --input are required'),
    });
    expect(await lkWindow(['--no-such-flag'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('usage: lk-window'),
    });
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
      code: 2,
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
      code: 2,
      stderr: expect.stringContaining('--mode must be stream or batch'),
    });
    expect(await lkWindow(['--help'])).toMatchObject({
      code: 0,
      stdout: expect.stringContaining('usage: lk-window'),
    });
  });

  it.each(['__proto__', 'constructor'])(
    'refuses a pipeline whose aggregation is named %s (exit 2, naming the field) and writes nothing',
    async (name) => {
      const hostile = file(
        `proto-${name}.yaml`,
        `- name: p\n  source: user-events\n  key: user_id\n  time: ts\n  window: { type: tumbling, size: 1m }\n` +
          `  aggregations: [ {name: events, fn: count}, {name: ${name}, fn: sum, field: amount} ]\n`,
      );
      const input = file('proto-events.jsonl', '{"user_id":"u1","ts":1,"amount":2}\n');
      const run = await lkWindow([
        '--pipelines',
        hostile,
        '--pipeline',
        'p',
        '--mode',
        'batch',
        '--input',
        input,
      ]);
      expect(run).toMatchObject({ code: 2, stdout: '' });
      expect(run.stderr).toContain(`aggregations[1].name`);
      expect(run.stderr).toContain(`"${name}"`);
    },
  );

  it('exits 2 naming the flag and the file when --input or --pipelines cannot be read', async () => {
    const missing = join(dir, 'no-such-events.jsonl');
    const noInput = await lkWindow([
      '--pipelines',
      pipelines,
      '--pipeline',
      'sessions',
      '--mode',
      'batch',
      '--input',
      missing,
    ]);
    expect(noInput).toMatchObject({ code: 2, stdout: '' });
    expect(noInput.stderr).toMatch(new RegExp(`^lk-window: --input ${missing}: cannot be read \\(.*ENOENT`));
    const noPipelines = await lkWindow([
      '--pipelines',
      join(dir, 'no-such-pipelines.yaml'),
      '--pipeline',
      'sessions',
      '--mode',
      'batch',
      '--input',
      events,
    ]);
    expect(noPipelines).toMatchObject({ code: 2, stdout: '' });
    expect(noPipelines.stderr).toContain('lk-window: --pipelines');
    expect(noPipelines.stderr).toContain('cannot be read');
  });

  it('processes a partition of 2^31 − 1 at once', async () => {
    const input = file('far-partition.jsonl', '{"user_id":"u1","ts":1,"partition":2147483647}\n');
    const started = performance.now();
    const { code, stdout } = await lkWindow([
      '--pipelines',
      pipelines,
      '--pipeline',
      'sessions',
      '--mode',
      'batch',
      '--input',
      input,
    ]);
    expect(code).toBe(0);
    expect(parseJsonl<Row>(stdout)).toHaveLength(1);
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});

describe('lk-window: maxEventTimeSkew and record timestamps', () => {
  const T = 1_700_000_000_000;
  const run = (input: string, extra: string[] = []) =>
    lkWindow([
      '--pipelines',
      pipelines,
      '--pipeline',
      'bounded_skew',
      '--mode',
      'stream',
      '--input',
      input,
      ...extra,
    ]);

  it('leaves out events too far ahead of their "timestamp", says how many on stderr and lists them in --rejected', async () => {
    const lines = [
      { user_id: 'u1', ts: T, timestamp: T },
      { user_id: 'u1', ts: T + 1e12, timestamp: T + 1 }, // a producer clock ~32 years ahead
      { user_id: 'u1', ts: T + 60_000, timestamp: T }, // exactly the bound: kept
      { user_id: 'u2', ts: T - 3_600_000, timestamp: T }, // behind the record: lateness, not skew
    ];
    const input = file('skew.jsonl', lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
    const rejectedPath = join(dir, 'rejected.jsonl');
    const { code, stdout, stderr } = await run(input, ['--rejected', rejectedPath]);
    expect(code).toBe(0);
    expect(stderr).toBe(
      `lk-window: 1 event(s) left out: event time more than maxEventTimeSkew (60000ms) ahead of the record timestamp, listed in ${rejectedPath}\n`,
    );
    const rows = parseJsonl<Row>(stdout);
    expect(rows.map((r) => [r.key, r.window_start, r.values['events']])).toEqual([
      ['u1', T - (T % 60_000), 1],
      ['u1', T - (T % 60_000) + 60_000, 1],
    ]);
    // u2's event is late (a stream run) but was not rejected: only skew ahead of the record is refused.
    expect(parseJsonl(readFileSync(rejectedPath, 'utf8'))).toEqual([
      {
        line: 2,
        error: 'EventTimeSkewError',
        reason: `pipeline "bounded_skew": event time ${T + 1e12} runs ${1e12 - 1}ms ahead of the record timestamp ${T + 1}, beyond maxEventTimeSkew (60000ms)`,
        event: lines[1],
      },
    ]);
    // Without --rejected the count still shows, with a hint.
    expect((await run(input)).stderr).toContain('(--rejected FILE lists them)');
  });

  it('stops at the first line without a "timestamp" when the pipeline bounds skew', async () => {
    const input = file(
      'no-timestamp.jsonl',
      `{"user_id":"u1","ts":1,"timestamp":1}\n{"user_id":"u1","ts":2}\n`,
    );
    const { code, stderr } = await run(input);
    expect(code).toBe(2);
    expect(stderr).toBe(
      'lk-window: line 2: pipeline "bounded_skew": maxEventTimeSkew needs each record\'s timestamp (integer epoch milliseconds), got nothing (every line needs a "timestamp")\n',
    );
  });

  it("reads the generator's --jsonl lines (partition, offset, schema_version) with a timestamp", async () => {
    const line = {
      event_id: 'e1',
      user_id: 'u1',
      event_type: 'view',
      amount: 1.5,
      ts: T,
      partition: 3,
      offset: 17,
      schema_version: 1,
      timestamp: T + 5,
    };
    const { code, stdout } = await run(file('generated.jsonl', `${JSON.stringify(line)}\n`));
    expect(code).toBe(0);
    expect(parseJsonl<Row>(stdout)).toHaveLength(1);
  });
});

describe('lk-window: output files', () => {
  const INPUT = '{"user_id":"u1","ts":1}\n{"user_id":"u1","ts":2}\n';
  const run = (input: string, extra: string[], io?: { stdout: NodeJS.WritableStream }) => {
    const args = [
      '--pipelines',
      pipelines,
      '--pipeline',
      'sessions',
      '--mode',
      'stream',
      '--input',
      input,
      ...extra,
    ];
    if (io === undefined) return lkWindow(args);
    const stderr = capture();
    return main(args, { stdout: io.stdout, stderr: stderr.stream }).then((code) => ({
      code,
      stdout: '',
      stderr: stderr.text(),
    }));
  };

  it('refuses --late = --input before writing anything, leaving the input intact', async () => {
    const input = file('keep.jsonl', INPUT);
    const { code, stdout, stderr } = await run(input, ['--late', input]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe(`lk-window: --late ${input}: is the same file as --input ${input}\n`);
    expect(readFileSync(input, 'utf8')).toBe(INPUT);
  });

  it('sees through other spellings, symlinks and hard links of the input and the pipelines file', async () => {
    const input = file('keep2.jsonl', INPUT);
    const spelled = join(dir, '.', '..', basename(dir), 'keep2.jsonl');
    const symlink = join(dir, 'keep2-symlink.jsonl');
    symlinkSync(input, symlink);
    const hardlink = join(dir, 'keep2-hardlink.jsonl');
    linkSync(input, hardlink);
    for (const late of [spelled, symlink, hardlink]) {
      const { code, stderr } = await run(input, ['--late', late]);
      expect(code).toBe(2);
      expect(stderr).toContain(`is the same file as --input ${input}`);
    }
    const onPipelines = await run(input, ['--late', pipelines]);
    expect(onPipelines).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('is the same file as --pipelines'),
    });
    const sameOutputs = await run(input, [
      '--late',
      join(dir, 'out.jsonl'),
      '--rejected',
      join(dir, 'out.jsonl'),
    ]);
    expect(sameOutputs).toMatchObject({ code: 2, stderr: expect.stringContaining('--rejected') });
    expect(readFileSync(input, 'utf8')).toBe(INPUT);
    expect(readFileSync(pipelines, 'utf8')).toBe(PIPELINES);
  });

  it('refuses stdout redirected into the input', async () => {
    const input = file('keep3.jsonl', INPUT);
    const fd = openSync(input, 'a');
    const stdout = Object.assign(capture().stream, { fd });
    const { code, stderr } = await run(input, [], { stdout });
    closeSync(fd);
    expect(code).toBe(2);
    expect(stderr).toBe(
      `lk-window: stdout: is the same file as --input ${input} (it may have been emptied already)\n`,
    );
    expect(readFileSync(input, 'utf8')).toBe(INPUT);
  });

  it('names --late when it cannot be written: a missing directory or a directory', async () => {
    const input = file('keep4.jsonl', INPUT);
    const missing = join(dir, 'no-such-dir', 'late.jsonl');
    const noDir = await run(input, ['--late', missing]);
    expect(noDir).toEqual({
      code: 2,
      stdout: '',
      stderr: `lk-window: --late ${missing}: cannot be created: its directory does not exist\n`,
    });
    const directory = join(dir, 'a-directory');
    mkdirSync(directory);
    const isDir = await run(input, ['--late', directory]);
    expect(isDir).toMatchObject({
      code: 2,
      stderr: `lk-window: --late ${directory}: cannot be written (is a directory)\n`,
    });
    expect(existsSync(missing)).toBe(false);
  });
});

describe('lk-window: records of any type', () => {
  const T = 1_700_000_000_000;
  const defs = () =>
    file(
      'nested.yaml',
      `
- name: nested
  source: orders
  key: customer.id
  time: placed_at
  window: { type: tumbling, size: 1m }
  aggregations: [ { name: n, fn: count }, { name: cents, fn: sum, field: payment.amount_cents } ]
- name: by_record
  source: orders
  format: json
  key: $key
  time: $timestamp
  window: { type: tumbling, size: 1m }
  aggregations: [ { name: n, fn: count } ]
`,
    );
  const input = () =>
    file(
      'nested.jsonl',
      [
        {
          customer: { id: 'c1' },
          payment: { amount_cents: 5 },
          placed_at: T,
          $key: 's1',
          timestamp: T + 60_000,
        },
        {
          customer: { id: 'c1' },
          payment: { amount_cents: null },
          placed_at: T + 1,
          $key: 's1',
          timestamp: T,
        },
        { customer: { id: 'c2' }, payment: { amount_cents: 7 }, placed_at: T + 2, $key: 's2', timestamp: T },
      ]
        .map((line) => `${JSON.stringify(line)}\n`)
        .join(''),
    );
  const windowOf = (t: number) => t - (t % 60_000);

  it('reads dotted paths into nested objects, and "$key" and "timestamp" for $key and $timestamp', async () => {
    const nested = await lkWindow([
      '--pipelines',
      defs(),
      '--pipeline',
      'nested',
      '--mode',
      'batch',
      '--input',
      input(),
    ]);
    expect(nested.code, nested.stderr).toBe(0);
    expect(parseJsonl<Row>(nested.stdout).map((r) => [r.key, r.window_start, r.values])).toEqual([
      ['c1', windowOf(T), { n: 2, cents: 5 }],
      ['c2', windowOf(T), { n: 1, cents: 7 }],
    ]);
    const byRecord = await lkWindow([
      '--pipelines',
      defs(),
      '--pipeline',
      'by_record',
      '--mode',
      'batch',
      '--input',
      input(),
    ]);
    expect(byRecord.code, byRecord.stderr).toBe(0);
    expect(parseJsonl<Row>(byRecord.stdout).map((r) => [r.key, r.window_start, r.values.n])).toEqual([
      ['s1', windowOf(T), 1],
      ['s1', windowOf(T + 60_000), 1],
      ['s2', windowOf(T), 1],
    ]);
  });
});
