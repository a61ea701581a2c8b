import { expect } from 'vitest';
import type { Pipeline } from '@lk/operators';
import type { ResultRow, SpeedScenario } from '../../src/support/speed-scenario';

/**
 * A job's stored window rows and late events (a speed version, a Kappa replay, a batch run) equal what
 * `lk-window` computes in `mode` over the generator's JSONL: row for row, late event for late event.
 * Resolves with both, for the callers that check more of them (all final, not trivially few).
 */
export async function expectGroundTruth(
  scenario: SpeedScenario,
  pipeline: Pipeline,
  jobId: string,
  mode: 'stream' | 'batch' = 'stream',
): Promise<{ stored: ResultRow[]; expected: { results: ResultRow[]; late: string[] } }> {
  const expected = scenario.expectedByLkWindow(pipeline, { mode });
  const stored = await scenario.storedResultsOf(jobId);
  expect(scenario.differingRows(pipeline, stored, expected.results), `${jobId} vs lk-window`).toEqual([]);
  expect(await scenario.storedLateOf(jobId), `${jobId} late events`).toEqual(expected.late);
  return { stored, expected };
}
