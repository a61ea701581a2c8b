import { describe, expect, it } from 'vitest';
import {
  EventGenerator,
  GeneratorOptionError,
  harmonic,
  type GeneratedEvent,
  type GeneratorOptions,
} from '../src/generator';

const start = Date.parse('2026-01-01T00:00:00Z');
const base: GeneratorOptions = { count: 2_000, seed: 42, startMs: start, keys: 1_000 };

function generate(options: Partial<GeneratorOptions> = {}): GeneratedEvent[] {
  return [...new EventGenerator({ ...base, ...options })];
}

describe('EventGenerator determinism', () => {
  it('gives identical events for the same seed, also when iterated twice', () => {
    const generator = new EventGenerator({ ...base, lateFraction: 0.05, duplicateFraction: 0.05 });
    const first = [...generator];
    expect([...generator]).toEqual(first);
    expect(generate({ lateFraction: 0.05, duplicateFraction: 0.05 })).toEqual(first);
    expect(first).toHaveLength(2_000);
  });

  it('gives different events for a different seed', () => {
    const a = generate({ seed: 1 });
    const b = generate({ seed: 2 });
    const same = a.filter((event, i) => JSON.stringify(event.event) === JSON.stringify(b[i]!.event));
    expect(same).toHaveLength(0);
    expect(a[0]!.event.event_id).not.toBe(b[0]!.event.event_id);
  });

  it('makes event_id unique per new event and user_ids like user-000123', () => {
    const events = generate({ count: 50_000, keys: 1_000 });
    expect(new Set(events.map((e) => e.event.event_id)).size).toBe(50_000);
    for (const { event } of events.slice(0, 1_000)) {
      expect(event.user_id).toMatch(/^user-\d{6}$/);
      expect(event.event_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    }
  });

  it('advances event time from the index at eventTimePerSecond / nominalRate, not from a clock', () => {
    const generator = new EventGenerator({
      ...base,
      rate: 0,
      nominalRate: 1_000,
      eventTimePerSecondMs: 3_600_000,
      disorderMs: 0,
    });
    const events = [...generator];
    // an hour of event time per second at 1000 events/s: 3.6 s of event time per event
    expect(events.map((e) => e.event.ts).slice(0, 4)).toEqual([
      start,
      start + 3_600,
      start + 7_200,
      start + 10_800,
    ]);
    expect(events[1_000]!.nominalTs).toBe(start + 3_600_000);
  });

  it('uses rate as the nominal rate when pacing', () => {
    const generator = new EventGenerator({ ...base, rate: 500, eventTimePerSecondMs: 60_000 });
    expect(generator.nominalTs(500)).toBe(start + 60_000);
  });

  it('derives count from rate × duration', () => {
    expect(new EventGenerator({ seed: 1, startMs: 0, rate: 250, durationMs: 4_000 }).count).toBe(1_000);
  });
});

describe('EventGenerator distributions (100k events)', () => {
  const n = 100_000;
  const events = generate({
    count: n,
    keys: 10_000,
    zipf: 1.1,
    disorderMs: 5_000,
    lateFraction: 0.01,
    latenessMs: { min: 60_000, max: 600_000 },
    duplicateFraction: 0.005,
    duplicateDistance: 50,
    v1Fraction: 0.3,
    eventTimePerSecondMs: 3_600_000,
    rate: 0,
  });
  const fresh = events.filter((e) => !e.duplicate);

  it('skews keys like Zipf: top key share ≈ 1 / H(n, s)', () => {
    const counts = new Map<string, number>();
    for (const { event } of fresh) counts.set(event.user_id, (counts.get(event.user_id) ?? 0) + 1);
    const sorted = [...counts.values()].sort((a, b) => b - a);
    const h = harmonic(10_000, 1.1);
    const expectedTop = 1 / h;
    expect(counts.get('user-000000')! / fresh.length).toBeCloseTo(expectedTop, 2);
    expect(Math.abs(sorted[0]! / fresh.length - expectedTop) / expectedTop).toBeLessThan(0.05);
    // the 10 hottest keys together
    const expectedTop10 = [...Array(10).keys()].reduce((sum, k) => sum + 1 / Math.pow(k + 1, 1.1), 0) / h;
    const top10 = sorted.slice(0, 10).reduce((a, b) => a + b, 0) / fresh.length;
    expect(Math.abs(top10 - expectedTop10) / expectedTop10).toBeLessThan(0.03);
  });

  it('keeps non-late events within the disorder bound: nominal − maxJitter <= ts <= nominal', () => {
    const onTime = fresh.filter((e) => !e.late);
    const outside = onTime.filter((e) => e.event.ts < e.nominalTs - 5_000 || e.event.ts > e.nominalTs);
    expect(outside).toEqual([]);
    // the jitter spans the whole bound
    expect(onTime.some((e) => e.event.ts === e.nominalTs - 5_000 || e.event.ts < e.nominalTs - 4_990)).toBe(
      true,
    );
  });

  it('makes about lateFraction of events late, beyond the disorder by the lateness range', () => {
    const late = fresh.filter((e) => e.late);
    expect(late.length / fresh.length).toBeGreaterThan(0.008);
    expect(late.length / fresh.length).toBeLessThan(0.012);
    for (const e of late) {
      const behind = e.nominalTs - e.event.ts;
      expect(behind).toBeGreaterThanOrEqual(5_000 + 60_000);
      expect(behind).toBeLessThanOrEqual(5_000 + 600_000);
    }
  });

  it('re-sends about duplicateFraction of records, with an event_id seen shortly before', () => {
    const duplicates = events.filter((e) => e.duplicate);
    expect(duplicates.length / n).toBeGreaterThan(0.004);
    expect(duplicates.length / n).toBeLessThan(0.006);
    const positionOf = new Map(fresh.map((e) => [e.event.event_id, e.index]));
    for (const d of duplicates) {
      const original = events[positionOf.get(d.event.event_id)!]!;
      expect(d.event).toEqual(original.event);
      expect(d.schemaVersion).toBe(original.schemaVersion);
      // within the last 50 new events (plus the duplicates in between)
      expect(d.index - original.index).toBeGreaterThan(0);
      expect(d.index - original.index).toBeLessThan(50 + 20);
    }
  });

  it('writes about v1Fraction of events as v1, without country; v2 events have one (or null)', () => {
    const v1 = fresh.filter((e) => e.schemaVersion === 1);
    expect(v1.length / fresh.length).toBeGreaterThan(0.29);
    expect(v1.length / fresh.length).toBeLessThan(0.31);
    for (const e of v1)
      expect(Object.keys(e.event)).toEqual(['event_id', 'user_id', 'event_type', 'amount', 'ts']);
    const v2 = fresh.filter((e) => e.schemaVersion === 2);
    for (const e of v2.slice(0, 1_000)) expect(e.event).toHaveProperty('country');
    expect(v2.some((e) => 'country' in e.event && e.event.country === null)).toBe(true);
  });

  it('gives a user the same country on every v2 event', () => {
    const countryOf = new Map<string, string | null>();
    for (const { event } of fresh) {
      if (!('country' in event)) continue;
      if (countryOf.has(event.user_id)) expect(event.country).toBe(countryOf.get(event.user_id));
      countryOf.set(event.user_id, event.country);
    }
  });

  it('draws event types by weight and positive lognormal amounts around the median', () => {
    const purchases = fresh.filter((e) => e.event.event_type === 'purchase').length / fresh.length;
    expect(purchases).toBeGreaterThan(0.04);
    expect(purchases).toBeLessThan(0.06);
    const amounts = fresh.map((e) => e.event.amount).sort((a, b) => a - b);
    expect(amounts[0]).toBeGreaterThanOrEqual(0.01);
    expect(amounts[Math.floor(amounts.length / 2)]).toBeGreaterThan(19);
    expect(amounts[Math.floor(amounts.length / 2)]).toBeLessThan(21);
    for (const amount of amounts.slice(0, 100)) expect(Math.round(amount * 100) / 100).toBe(amount);
  });

  it('draws uniform amounts within bounds', () => {
    const uniform = generate({ amount: { kind: 'uniform', min: 5, max: 10 } });
    for (const { event } of uniform) {
      expect(event.amount).toBeGreaterThanOrEqual(5);
      expect(event.amount).toBeLessThanOrEqual(10);
    }
  });
});

describe('generator option validation', () => {
  const cases: [Partial<GeneratorOptions>, string, RegExp][] = [
    [{ rate: -1 }, 'rate', /--rate/],
    [{ count: 1.5 }, 'count', /--count/],
    [{ count: undefined }, 'count', /count or a duration/],
    [{ count: undefined, durationMs: 1_000, rate: 0 }, 'durationMs', /needs a rate > 0/],
    [{ durationMs: 1_000 }, 'durationMs', /not both/],
    [{ keys: 0 }, 'keys', /--keys/],
    [{ zipf: -0.5 }, 'zipf', /--zipf/],
    [{ eventTypes: [] }, 'eventTypes', /at least one/],
    [{ eventTypes: [{ name: 'a', weight: 0 }] }, 'eventTypes', /weight of "a"/],
    [{ amount: { kind: 'uniform', min: 10, max: 5 } }, 'amount', /--amount/],
    [{ amount: { kind: 'lognormal', median: 0, sigma: 1 } }, 'amount', /median/],
    [{ disorderMs: -1 }, 'disorderMs', /--disorder/],
    [{ lateFraction: 1.5 }, 'lateFraction', /--late-fraction/],
    [{ latenessMs: { min: 0, max: 10 } }, 'latenessMs', /--lateness/],
    [{ duplicateFraction: 0.9 }, 'duplicateFraction', /--duplicates/],
    [{ duplicateDistance: 0 }, 'duplicateDistance', /--duplicate-distance/],
    [{ v1Fraction: -0.1 }, 'v1Fraction', /--v1-fraction/],
    [{ seed: 1.5 }, 'seed', /--seed/],
    [{ startMs: Number.NaN }, 'startMs', /--start/],
    [{ eventTimePerSecondMs: 0 }, 'eventTimePerSecondMs', /--event-time-per-second/],
    [{ rate: 0, nominalRate: 0 }, 'nominalRate', /--nominal-rate/],
  ];
  it.each(cases)('rejects %j naming the option', (bad, option, message) => {
    const attempt = (): unknown => new EventGenerator({ ...base, ...bad });
    expect(attempt).toThrow(GeneratorOptionError);
    expect(attempt).toThrow(message);
    try {
      attempt();
    } catch (error) {
      expect((error as GeneratorOptionError).option).toBe(option);
    }
  });
});
