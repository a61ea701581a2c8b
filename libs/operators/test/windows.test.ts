import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_DURATION_MS, MAX_EVENT_TIME_MS, session, sliding, tumbling, windowAssigner } from '../src';

const MIN = 60_000;

describe('tumbling', () => {
  const w = tumbling(MIN);

  it('puts every event in exactly one epoch-aligned, half-open window', () => {
    expect(w.assignWindows(0)).toEqual([{ start: 0, end: MIN }]);
    expect(w.assignWindows(MIN - 1)).toEqual([{ start: 0, end: MIN }]);
    expect(w.assignWindows(1_700_000_012_345)).toEqual([
      { start: 1_699_999_980_000, end: 1_700_000_040_000 },
    ]);
  });

  it('puts an event exactly at a window end into the next window', () => {
    expect(w.assignWindows(MIN)).toEqual([{ start: MIN, end: 2 * MIN }]);
  });

  it('aligns times before the epoch too', () => {
    expect(w.assignWindows(-1)).toEqual([{ start: -MIN, end: 0 }]);
  });

  it('shifts the grid by an offset', () => {
    expect(tumbling(MIN, 15_000).assignWindows(10_000)).toEqual([{ start: -45_000, end: 15_000 }]);
    expect(tumbling(MIN, 15_000).assignWindows(15_000)).toEqual([{ start: 15_000, end: 75_000 }]);
  });

  it('rejects sizes that are not positive and offsets outside [0, size)', () => {
    expect(() => tumbling(0)).toThrow(RangeError);
    expect(() => tumbling(MIN, MIN)).toThrow(RangeError);
  });
});

describe('sliding', () => {
  it('puts an event in the size/slide windows that contain it, latest first', () => {
    const starts = sliding(5 * MIN, MIN)
      .assignWindows(7.5 * MIN)
      .map((w) => w.start / MIN);
    expect(starts).toEqual([7, 6, 5, 4, 3]);
  });

  it('does not put an event exactly at a window end into that window', () => {
    const windows = sliding(5 * MIN, MIN).assignWindows(5 * MIN);
    expect(windows.map((w) => w.start / MIN)).toEqual([5, 4, 3, 2, 1]);
    expect(windows.every((w) => w.end > 5 * MIN)).toBe(true);
  });

  it('handles a size that is not a multiple of the slide (2 or 3 windows)', () => {
    const w = sliding(5_000, 2_000);
    expect(w.maxWindowsPerEvent).toBe(3);
    expect(w.assignWindows(4_000).map((x) => x.start)).toEqual([4_000, 2_000, 0]);
    expect(w.assignWindows(5_000).map((x) => x.start)).toEqual([4_000, 2_000]);
  });

  it('is tumbling when slide == size, and refuses slide > size or slide <= 0', () => {
    expect(sliding(MIN, MIN).assignWindows(90_000)).toEqual(tumbling(MIN).assignWindows(90_000));
    expect(() => sliding(MIN, 2 * MIN)).toThrow(RangeError);
    expect(() => sliding(MIN, 0)).toThrow(RangeError);
  });
});

describe('session', () => {
  const w = session(30 * MIN);

  it('gives an event its proto-session [t, t + gap) and is merging', () => {
    expect(w.isMerging).toBe(true);
    expect(w.assignWindows(1_000)).toEqual([{ start: 1_000, end: 1_000 + 30 * MIN }]);
  });

  it('lets an event join a session when it is at most gap away from it (inclusive)', () => {
    // Session of events at 100 and 200: [100, 200 + gap).
    const [start, end] = [100, 200 + 30 * MIN];
    expect(w.touches(start, end, end)).toBe(true);
    expect(w.touches(start, end, end + 1)).toBe(false);
    expect(w.touches(start, end, start - 30 * MIN)).toBe(true);
    expect(w.touches(start, end, start - 30 * MIN - 1)).toBe(false);
    expect(w.touches(start, end, 150)).toBe(true);
  });
});

describe('windowAssigner', () => {
  it('builds the assigner a pipeline window spec describes', () => {
    expect(windowAssigner({ type: 'sliding', size: 10, slide: 5, offset: 0 })).toMatchObject({
      size: 10,
      slide: 5,
    });
    expect(windowAssigner({ type: 'session', gap: 7 })).toMatchObject({ type: 'session', gap: 7 });
  });
});

describe('window alignment at the limits', () => {
  it('agrees with exact integer (BigInt) floor arithmetic for any event time and duration allowed', () => {
    const time = fc.integer({ min: -MAX_EVENT_TIME_MS, max: MAX_EVENT_TIME_MS });
    const duration = fc.oneof(
      fc.integer({ min: 1, max: 1_000 }),
      fc.integer({ min: 1, max: MAX_DURATION_MS }),
      fc.constantFrom(1, 7, 60_000, 86_400_000, MAX_DURATION_MS),
    );
    fc.assert(
      fc.property(time, duration, fc.nat(), (t, size, offsetSeed) => {
        const offset = offsetSeed % size;
        const [window] = tumbling(size, offset).assignWindows(t);
        // the start of the window holding t: offset + floor((t − offset) / size) · size, in exact integers
        const q = (BigInt(t) - BigInt(offset)) / BigInt(size);
        const exactQ = BigInt(t) - BigInt(offset) < q * BigInt(size) ? q - 1n : q;
        const start = BigInt(offset) + exactQ * BigInt(size);
        expect(window).toEqual({ start: Number(start), end: Number(start + BigInt(size)) });
      }),
      { numRuns: 5_000 },
    );
  });
});
