import { valuesEqual, type ResultChange, type WindowSpec } from '../../src';
import type { TestEvent } from './harness';

/** count/sum/min/max of the `v`s, written independently of the library to check it against. */
export interface Totals {
  n: number;
  total: number;
  lo: number | null;
  hi: number | null;
}

export function totalsOf(events: readonly TestEvent[]): Totals {
  const values = events.map((e) => e.v);
  return {
    n: values.length,
    total: values.reduce((a, b) => a + b, 0),
    lo: values.length === 0 ? null : Math.min(...values),
    hi: values.length === 0 ? null : Math.max(...values),
  };
}

/** Totals of a union, from the totals of its parts. */
export function combineTotals(parts: readonly Totals[]): Totals {
  const present = <T>(xs: (T | null)[]): T[] => xs.filter((x): x is T => x !== null);
  const los = present(parts.map((p) => p.lo));
  const his = present(parts.map((p) => p.hi));
  return {
    n: parts.reduce((a, p) => a + p.n, 0),
    total: parts.reduce((a, p) => a + p.total, 0),
    lo: los.length === 0 ? null : Math.min(...los),
    hi: his.length === 0 ? null : Math.max(...his),
  };
}

/** The library's floating-point policy applied to totals: n, lo and hi exactly, the sum within tolerance. */
export function totalsEqual(a: Totals, b: Totals): boolean {
  return (
    valuesEqual('count', a.n, b.n) &&
    valuesEqual('sum', a.total, b.total) &&
    valuesEqual('min', a.lo, b.lo) &&
    valuesEqual('max', a.hi, b.hi)
  );
}

export function totalsOfRow(row: ResultChange): Totals {
  const { n, total, lo, hi } = row.values;
  return { n: n!, total: total!, lo: lo!, hi: hi! };
}

export interface ReferenceWindow {
  readonly key: string;
  readonly start: number;
  readonly end: number;
  readonly events: TestEvent[];
}

/** Brute force: every window `[offset + k·slide, … + size)` containing the event. */
export function referenceFixedWindows(
  spec: Exclude<WindowSpec, { type: 'session' }>,
  events: readonly TestEvent[],
): ReferenceWindow[] {
  const slide = spec.type === 'sliding' ? spec.slide : spec.size;
  const windows = new Map<string, ReferenceWindow>();
  for (const event of events) {
    const first = Math.floor((event.t - spec.size - spec.offset) / slide);
    for (let k = first; k * slide + spec.offset <= event.t; k++) {
      const start = k * slide + spec.offset;
      if (!(start <= event.t && event.t < start + spec.size)) continue;
      const id = `${event.k}/${start}`;
      const window = windows.get(id) ?? { key: event.k, start, end: start + spec.size, events: [] };
      window.events.push(event);
      windows.set(id, window);
    }
  }
  return sortWindows([...windows.values()]);
}

/** Sort each key's events by time and cut wherever consecutive events are more than `gap` apart. */
export function referenceSessions(gap: number, events: readonly TestEvent[]): ReferenceWindow[] {
  const byKey = new Map<string, TestEvent[]>();
  for (const event of events) byKey.set(event.k, [...(byKey.get(event.k) ?? []), event]);
  const sessions: ReferenceWindow[] = [];
  for (const [key, keyEvents] of byKey) {
    const sorted = [...keyEvents].sort((a, b) => a.t - b.t);
    let current: TestEvent[] = [];
    for (const event of sorted) {
      if (current.length > 0 && event.t - current[current.length - 1]!.t > gap) {
        sessions.push(sessionOf(key, current, gap));
        current = [];
      }
      current.push(event);
    }
    if (current.length > 0) sessions.push(sessionOf(key, current, gap));
  }
  return sortWindows(sessions);
}

function sessionOf(key: string, events: TestEvent[], gap: number): ReferenceWindow {
  return { key, start: events[0]!.t, end: events[events.length - 1]!.t + gap, events };
}

function sortWindows(windows: ReferenceWindow[]): ReferenceWindow[] {
  return windows.sort((a, b) =>
    a.key !== b.key ? (a.key < b.key ? -1 : 1) : a.start - b.start || a.end - b.end,
  );
}

/** Rows reduced to what the reference computes: window identity and totals. */
export function shapeOfRows(
  rows: readonly ResultChange[],
): { key: string; start: number; end: number; totals: Totals }[] {
  return rows.map((row) => ({
    key: row.key,
    start: row.windowStart,
    end: row.windowEnd,
    totals: totalsOfRow(row),
  }));
}

export function shapeOfReference(
  windows: readonly ReferenceWindow[],
): { key: string; start: number; end: number; totals: Totals }[] {
  return windows.map((w) => ({ key: w.key, start: w.start, end: w.end, totals: totalsOf(w.events) }));
}

interface ReferenceSession {
  start: number;
  end: number;
}

/**
 * The design's lateness rule, applied literally and naively (every session of every key kept forever, the
 * watermark recomputed from the partition's history), to check the operator's bookkeeping against. Returns
 * one `event@windowStart/windowEnd` string per dropped (event, window). With `stateRetention`, an event with
 * `t + stateRetention <= wm` is dropped too (from each of its windows; sessions: its proto-session).
 */
export function referenceLateDrops(
  spec: WindowSpec,
  maxOutOfOrderness: number,
  allowedLateness: number,
  records: readonly { value: TestEvent; partition: number }[],
  stateRetention = Infinity,
): string[] {
  const maxTime = new Map<number, number>();
  const sessions = new Map<string, ReferenceSession[]>();
  const drops: string[] = [];
  const drop = (e: TestEvent, start: number, end: number): void => {
    drops.push(`${JSON.stringify(e)}@${start}/${end}`);
  };
  for (const { value: e, partition } of records) {
    const wm = (maxTime.get(partition) ?? -Infinity) - maxOutOfOrderness;
    const isFinal = (w: ReferenceSession): boolean => w.end + allowedLateness <= wm;
    const beyondHorizon = e.t + stateRetention <= wm;
    if (spec.type === 'session') {
      const own = sessions.get(e.k) ?? [];
      const touched = own.filter((s) => s.start - spec.gap <= e.t && e.t <= s.end);
      const merged = {
        start: Math.min(e.t, ...touched.map((s) => s.start)),
        end: Math.max(e.t + spec.gap, ...touched.map((s) => s.end)),
      };
      // Late: it would extend or bridge a final session, or the session it would merge into is final.
      if (beyondHorizon || touched.some(isFinal) || isFinal(merged)) drop(e, e.t, e.t + spec.gap);
      else sessions.set(e.k, [...own.filter((s) => !touched.includes(s)), merged]);
    } else {
      for (const w of referenceFixedWindows(spec, [e])) {
        if (beyondHorizon || isFinal(w)) drop(e, w.start, w.end);
      }
    }
    maxTime.set(partition, Math.max(maxTime.get(partition) ?? -Infinity, e.t));
  }
  return drops.sort();
}

export function lateDrops(
  late: readonly { event: TestEvent; windowStart: number; windowEnd: number }[],
): string[] {
  return late.map((r) => `${JSON.stringify(r.event)}@${r.windowStart}/${r.windowEnd}`).sort();
}
