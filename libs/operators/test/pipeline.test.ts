import { describe, expect, it } from 'vitest';
import {
  defineAggregator,
  findPipeline,
  parseDuration,
  toDefinition,
  parsePipelines,
  validatePipelines,
} from '../src';
import { configErrorOf } from './support/config-error';

const DESIGN_EXAMPLE = `
- name: user_activity_1m
  source: user-events
  key: user_id
  time: ts
  window: { type: tumbling, size: 1m }
  watermark: { maxOutOfOrderness: 10s }
  allowedLateness: 1m
  aggregations: [ {name: events, fn: count}, {name: amount_sum, fn: sum, field: amount},
                  {name: amount_max, fn: max, field: amount}, {name: types, fn: count_distinct, field: event_type} ]
- name: user_activity_5m_sliding
  source: user-events
  key: user_id
  time: ts
  window: { type: sliding, size: 5m, slide: 1m }
  aggregations: [ {name: events, fn: count} ]
- name: user_sessions
  source: user-events
  key: user_id
  time: ts
  window: { type: session, gap: 30m }
  watermark: { maxOutOfOrderness: 500ms }
  allowedLateness: 0
  aggregations: [ {name: avg_amount, fn: avg, field: amount} ]
`;

/** A one-pipeline document with `patch` applied to the design's example. */
function withPipeline(patch: Record<string, unknown>): unknown[] {
  const base = (parsePipelines(DESIGN_EXAMPLE) as unknown as Record<string, unknown>[])[0]!;
  const raw = {
    name: base['name'],
    source: 'user-events',
    key: 'user_id',
    time: 'ts',
    window: { type: 'tumbling', size: '1m' },
    aggregations: [{ name: 'events', fn: 'count' }],
    ...patch,
  };
  return [Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined))];
}

const errorOf = configErrorOf;

describe('parseDuration', () => {
  it('reads ms, s, m, h, d and combinations into milliseconds', () => {
    expect(['500ms', '10s', '1m', '1h', '1d', '1h30m', '0s'].map(parseDuration)).toEqual([
      500, 10_000, 60_000, 3_600_000, 86_400_000, 5_400_000, 0,
    ]);
  });

  it('refuses anything else, bare numbers included', () => {
    expect(['5x', '', '10', '1.5m', 'm', '-1s', '1 m'].map(parseDuration)).toEqual(
      new Array(7).fill(undefined),
    );
  });
});

describe('parsePipelines', () => {
  it('parses the design example into typed pipelines with milliseconds and defaults', () => {
    const [activity, slidingOne, sessions] = parsePipelines(DESIGN_EXAMPLE);
    expect(activity).toEqual({
      name: 'user_activity_1m',
      source: 'user-events',
      key: 'user_id',
      time: 'ts',
      window: { type: 'tumbling', size: 60_000, offset: 0 },
      watermark: { maxOutOfOrderness: 10_000 },
      allowedLateness: 60_000,
      aggregations: [
        { name: 'events', fn: 'count' },
        { name: 'amount_sum', fn: 'sum', field: 'amount' },
        { name: 'amount_max', fn: 'max', field: 'amount' },
        { name: 'types', fn: 'count_distinct', field: 'event_type' },
      ],
    });
    expect(slidingOne).toMatchObject({
      window: { type: 'sliding', size: 300_000, slide: 60_000, offset: 0 },
      watermark: { maxOutOfOrderness: 0 },
      allowedLateness: 0,
    });
    expect(sessions).toMatchObject({ window: { type: 'session', gap: 1_800_000 }, allowedLateness: 0 });
  });

  it('names the pipeline, the field and what was expected', () => {
    expect(errorOf(withPipeline({ window: { type: 'tumbling', size: '5x' } })).message).toBe(
      'pipeline "user_activity_1m": window.size: expected a duration like 500ms, 10s, 1m, 1h, 1d, got "5x"',
    );
    expect(errorOf(withPipeline({ window: { type: 'tumbling', size: '5x' } }))).toMatchObject({
      pipeline: 'user_activity_1m',
      field: 'window.size',
      got: '5x',
    });
  });

  it.each([
    [
      { window: { type: 'hopping', size: '1m' } },
      'window.type: expected one of tumbling, sliding, session, got "hopping"',
    ],
    [
      { window: { type: 'sliding', size: '1m', slide: '2m' } },
      'window.slide: expected a duration no longer than window.size (60000ms), got "2m"',
    ],
    [{ window: { type: 'sliding', size: '1m', slide: '0s' } }, 'window.slide: expected a positive duration'],
    [
      { window: { type: 'sliding', size: '1m' } },
      'window.slide: expected a duration like 500ms, 10s, 1m, 1h, 1d, got nothing',
    ],
    [{ window: { type: 'session', gap: 0 } }, 'window.gap: expected a positive duration'],
    [
      { window: { type: 'tumbling', size: '1m', slide: '1m' } },
      'window.slide: expected one of the keys type, size, offset, got unknown key "slide"',
    ],
    [
      { window: { type: 'tumbling', size: '1m', offset: '1m' } },
      "window.offset: expected a duration shorter than the window's size",
    ],
    [{ watermark: { maxOutOfOrderness: 10 } }, 'watermark.maxOutOfOrderness: expected a duration like'],
    [{ watermark: { delay: '1s' } }, 'watermark.delay: expected one of the keys maxOutOfOrderness'],
    [{ allowedLateness: '-1m' }, 'allowedLateness: expected a duration like'],
    [{ colour: 'blue' }, 'colour: expected one of the keys name, source, key, time'],
    [
      { key: '' },
      'key: expected the name of the event field holding the key (a dotted path reads nested records: customer.id), or $key, got ""',
    ],
    [
      { time: undefined },
      'time: expected the name of the event field holding the event time (a dotted path reads nested records: customer.id), or $timestamp, got nothing',
    ],
    [{ aggregations: [] }, 'aggregations: expected a non-empty list of {name, fn, field}, got []'],
    [
      { aggregations: [{ name: 'x', fn: 'median', field: 'a' }] },
      'aggregations[0].fn: expected one of count, sum, min, max, avg, count_distinct, got "median"',
    ],
    [
      { aggregations: [{ name: 'x', fn: 'sum' }] },
      'aggregations[0].field: expected the event field that sum aggregates, got nothing',
    ],
    [
      {
        aggregations: [
          { name: 'x', fn: 'count' },
          { name: 'x', fn: 'max', field: 'a' },
        ],
      },
      'aggregations[1].name: expected a name no other aggregation of this pipeline uses, got "x"',
    ],
    [{ aggregations: [{ name: 'x-y', fn: 'count' }] }, 'aggregations[0].name: expected an identifier'],
    ...['__proto__', 'constructor', 'hasOwnProperty', 'toString'].map(
      (name): [Record<string, unknown>, string] => [
        { aggregations: [{ name, fn: 'count' }] },
        `aggregations[0].name: expected a name that is not a property of JavaScript objects (__proto__, constructor, toString, ...), got "${name}"`,
      ],
    ),
    [
      {
        aggregations: [
          { name: 'events', fn: 'count' },
          { name: '__proto__', fn: 'sum', field: 'amount' },
        ],
      },
      'aggregations[1].name: expected a name that is not a property of JavaScript objects',
    ],
    [
      { window: { type: 'sliding', size: '1d', slide: '1ms' } },
      'window.slide: expected a duration of at least window.size / 1000 (86400ms), so that an event falls into at most 1000 windows, got "1ms"',
    ],
    [
      { window: { type: 'sliding', size: '1000001ms', slide: '1s' } },
      'window.slide: expected a duration of at least window.size / 1000 (1001ms)',
    ],
    [
      { window: { type: 'tumbling', size: '99999999999999999999d' } },
      'window.size: expected a duration of at most 36500d, got "99999999999999999999d"',
    ],
    [
      { window: { type: 'tumbling', size: '9'.repeat(400) + 'd' } },
      'window.size: expected a duration of at most 36500d',
    ],
    [{ window: { type: 'session', gap: '36501d' } }, 'window.gap: expected a duration of at most 36500d'],
    [
      { window: { type: 'sliding', size: '36500d', slide: '36500d', offset: '36501d' } },
      'window.offset: expected a duration of at most 36500d',
    ],
    [{ allowedLateness: '40000d' }, 'allowedLateness: expected a duration of at most 36500d'],
    [
      { watermark: { maxOutOfOrderness: '40000d' } },
      'watermark.maxOutOfOrderness: expected a duration of at most 36500d',
    ],
    [{ maxEventTimeSkew: '5' }, 'maxEventTimeSkew: expected a duration like 500ms, 10s, 1m, 1h, 1d, got "5"'],
    [{ maxEventTimeSkew: '-1m' }, 'maxEventTimeSkew: expected a duration like'],
    [{ maxEventTimeSkew: '40000d' }, 'maxEventTimeSkew: expected a duration of at most 36500d'],
    [{ stateRetention: '5' }, 'stateRetention: expected a duration like 500ms, 10s, 1m, 1h, 1d, got "5"'],
    [{ stateRetention: '40000d' }, 'stateRetention: expected a duration of at most 36500d'],
    [
      { stateRetention: '59999ms' },
      'stateRetention: expected a duration of at least window.size + allowedLateness (60000ms), got "59999ms"',
    ],
    [
      { stateRetention: 0 },
      'stateRetention: expected a duration of at least window.size + allowedLateness (60000ms), got 0',
    ],
    [
      { allowedLateness: '1h', stateRetention: '1h' },
      'stateRetention: expected a duration of at least window.size + allowedLateness (3660000ms), got "1h"',
    ],
    [
      { window: { type: 'sliding', size: '5m', slide: '1m' }, allowedLateness: '1m', stateRetention: '5m' },
      'stateRetention: expected a duration of at least window.size + allowedLateness (360000ms), got "5m"',
    ],
    [
      { window: { type: 'session', gap: '30m' }, allowedLateness: '5m', stateRetention: '34m' },
      'stateRetention: expected a duration of at least window.gap + allowedLateness (2100000ms), got "34m"',
    ],
    [
      { window: { type: 'session', gap: '36500d' }, allowedLateness: '1ms', stateRetention: '36500d' },
      'stateRetention: expected a duration of at least window.gap + allowedLateness (3153600000001ms), got "36500d"',
    ],
    [
      { aggregations: [{ name: 'x', fn: 'count', filter: 'a' }] },
      'aggregations[0].filter: expected one of the keys name, fn, field, got unknown key "filter"',
    ],
  ])('rejects %j', (patch, message) => {
    const error = errorOf(withPipeline(patch));
    expect(error.message).toContain(`pipeline "user_activity_1m": ${message}`);
  });

  it('reads maxEventTimeSkew as a duration, and leaves it out when not given', () => {
    expect(validatePipelines(withPipeline({ maxEventTimeSkew: '5m' }))[0]!.maxEventTimeSkew).toBe(300_000);
    expect(validatePipelines(withPipeline({ maxEventTimeSkew: 0 }))[0]!.maxEventTimeSkew).toBe(0);
    expect(validatePipelines(withPipeline({}))[0]).not.toHaveProperty('maxEventTimeSkew');
  });

  it('reads stateRetention as a duration from window extent + allowedLateness up, and leaves it out when not given', () => {
    const retention = (patch: Record<string, unknown>): number | undefined =>
      validatePipelines(withPipeline(patch))[0]!.stateRetention;
    expect(retention({ stateRetention: '1h' })).toBe(3_600_000);
    // exactly the bound: tumbling 1m + 0, sliding 5m + 1m, session 30m + 5m
    expect(retention({ stateRetention: '1m' })).toBe(60_000);
    expect(
      retention({
        window: { type: 'sliding', size: '5m', slide: '1m' },
        allowedLateness: '1m',
        stateRetention: '6m',
      }),
    ).toBe(360_000);
    expect(
      retention({ window: { type: 'session', gap: '30m' }, allowedLateness: '5m', stateRetention: '35m' }),
    ).toBe(2_100_000);
    expect(validatePipelines(withPipeline({}))[0]).not.toHaveProperty('stateRetention');
  });

  it('names stateRetention as the field of its errors', () => {
    expect(errorOf(withPipeline({ stateRetention: '10s' }))).toMatchObject({
      pipeline: 'user_activity_1m',
      field: 'stateRetention',
      got: '10s',
    });
  });

  it('accepts the largest window definitions within the bounds', () => {
    const [p] = validatePipelines(
      withPipeline({ window: { type: 'sliding', size: '1d', slide: '86400ms' } }),
    );
    expect(p!.window).toEqual({ type: 'sliding', size: 86_400_000, slide: 86_400, offset: 0 });
    const [q] = validatePipelines(withPipeline({ window: { type: 'tumbling', size: '36500d' } }));
    expect(q!.window).toMatchObject({ size: 36_500 * 86_400_000 });
  });

  it('identifies a pipeline without a usable name by its position', () => {
    expect(errorOf(withPipeline({ name: 'has space' })).message).toMatch(
      /^pipeline #1: name: expected a name of letters/,
    );
    expect(errorOf([...withPipeline({}), { source: 'x' }]).message).toMatch(/^pipeline #2: name: /);
  });

  it('rejects duplicate pipeline names, non-lists and broken YAML', () => {
    expect(errorOf([...withPipeline({}), ...withPipeline({})]).message).toBe(
      'pipeline #2: name: expected a name no other pipeline uses, got "user_activity_1m"',
    );
    expect(errorOf({ name: 'x' }).message).toMatch(/^pipelines: \(document\): expected a list of pipelines/);
    expect(() => parsePipelines('- name: [unclosed')).toThrow(/^pipelines: yaml: expected valid YAML, got /);
  });

  it('accepts user-defined aggregation functions that are registered', () => {
    const median = defineAggregator<number[], number>({
      create: () => [],
      add: (acc, v) => [...acc, v],
      merge: (a, b) => [...a, ...b],
      result: (acc) => acc.sort((x, y) => x - y)[Math.floor(acc.length / 2)] ?? null,
    });
    const document = withPipeline({ aggregations: [{ name: 'mid', fn: 'median', field: 'amount' }] });
    expect(validatePipelines(document, { aggregators: { median } })[0]!.aggregations).toEqual([
      { name: 'mid', fn: 'median', field: 'amount' },
    ]);
  });

  it('finds a pipeline by name or says which exist', () => {
    const pipelines = parsePipelines(DESIGN_EXAMPLE);
    expect(findPipeline(pipelines, 'user_sessions').window.type).toBe('session');
    expect(() => findPipeline(pipelines, 'nope')).toThrow(
      'pipeline "nope": name: expected one of the defined pipelines (user_activity_1m, user_activity_5m_sliding, user_sessions), got no such pipeline',
    );
  });
});

describe('toDefinition', () => {
  it('spells a validated pipeline so that validating it again gives the same pipeline', () => {
    const pipelines = validatePipelines([
      {
        name: 'a',
        source: 's',
        key: 'k',
        time: 't',
        window: { type: 'tumbling', size: '1m', offset: '15s' },
        watermark: { maxOutOfOrderness: '10s' },
        allowedLateness: '1h',
        maxEventTimeSkew: '1d',
        stateRetention: '2h',
        aggregations: [{ name: 'n', fn: 'count' }],
      },
      {
        name: 'b',
        source: 's',
        key: 'k',
        time: 't',
        window: { type: 'sliding', size: '5m', slide: '1m' },
        watermark: { maxOutOfOrderness: '0s' },
        allowedLateness: '0s',
        aggregations: [{ name: 'x', fn: 'sum', field: 'v' }],
      },
      {
        name: 'c',
        source: 's',
        key: 'k',
        time: 't',
        window: { type: 'session', gap: '30m' },
        watermark: { maxOutOfOrderness: '1500ms' },
        allowedLateness: '5m',
        stateRetention: '35m',
        aggregations: [{ name: 'd', fn: 'count_distinct', field: 'e' }],
      },
    ]);
    for (const pipeline of pipelines) {
      const spelled = toDefinition(pipeline);
      expect(validatePipelines([JSON.parse(JSON.stringify(spelled))])[0]).toEqual(pipeline);
    }
    expect(pipelines.map((p) => p.stateRetention)).toEqual([7_200_000, undefined, 2_100_000]);
    expect(toDefinition(pipelines[2]!)['stateRetention']).toBe('2100000ms');
    expect(toDefinition(pipelines[1]!)).not.toHaveProperty('stateRetention');
    expect(toDefinition(pipelines[0]!).window).toEqual({
      type: 'tumbling',
      size: '60000ms',
      offset: '15000ms',
    });
  });
});
