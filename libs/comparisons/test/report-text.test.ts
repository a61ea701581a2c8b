import { describe, expect, it } from 'vitest';
import { reportText, type ComparisonReport } from '@lk/comparisons';

const rows = { equal: 10, explained: 2, unexplained: 1, only_left: 1, only_right: 0, pending: 0 };
const freshness = (watermarkDelayMs: number) => ({
  jobId: 'speed:p:v1',
  lagRecords: 0,
  watermark: 0,
  watermarkDelayMs,
  lastFlushAgoMs: 1500,
});
const report: ComparisonReport = {
  id: 'c1',
  pipeline: 'p',
  left: { source: 'lambda', jobs: ['batch:r1', 'speed:p:v1'], rows: 13 },
  right: { source: 'kappa', jobs: ['speed:p:v1'], rows: 13 },
  trigger: 'cli',
  status: 'completed',
  error: null,
  startedAt: new Date(0),
  finishedAt: new Date(40),
  durationMs: 40,
  summary: {
    leftRows: 13,
    rightRows: 13,
    rows,
    tolerance: { relative: 1e-9, absolute: 1e-6 },
    maxEqualDifference: { amount_sum: { absolute: 3.5e-15, relative: 1.1e-16 } },
    totalAbsoluteDelta: { events: 3, amount_sum: 12.5 },
    lateEventsInvolved: 3,
    reasons: [
      { class: 'explained', reason: 'equal once the late events are added back (left 0, right 1)', rows: 2 },
      { class: 'unexplained', reason: 'values differ beyond what late events account for', rows: 1 },
      { class: 'only_left', reason: 'a window made only of late events the right dropped (1)', rows: 1 },
    ],
    timingsMs: { join: 30 },
  },
  scorecard: {
    generatedAt: new Date(40),
    speed: freshness(-7_200_000),
    kappa: freshness(2_000),
    sides: { left: null, right: null },
    lastBatchRun: null,
    lastKappaReplay: null,
    lateDrops: [{ jobId: 'speed:p:v1', version: 1, events: 3, windows: 3 }],
    rows,
    whatIf: null,
  },
};

describe('reportText', () => {
  it('prints rows per class with their reason, the tolerance and the scorecard', () => {
    const text = reportText(report, [
      {
        key: 'u1',
        windowStart: 0,
        windowEnd: 60_000,
        partition: 3,
        class: 'unexplained',
        reason: 'values differ beyond what late events account for',
        leftValues: { events: 5 },
        rightValues: { events: 4 },
        leftAdjusted: null,
        rightAdjusted: null,
        lateEventIds: [],
      },
    ]);
    expect(text).toMatch(/^ {2}explained +2 {2}equal once the late events are added back/m);
    expect(text).toMatch(/^ {2}unexplained +1 {2}values differ/m);
    expect(text).toMatch(/^ {2}pending +0$/m);
    expect(text).toContain('largest difference among equal rows: amount_sum 3.50e-15 (relative 1.10e-16)');
    // event time ahead of the wall clock reads as such, not as a negative delay
    expect(text).toContain('speed:p:v1: lag 0 records, watermark 7200.0 s ahead of now');
    expect(text).toContain('watermark 2.0 s behind now');
    expect(text).toContain('u1 [0, 60000) partition 3: left {"events":5} right {"events":4}');
  });
});
