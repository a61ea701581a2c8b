import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { resultValuesEqual, type Pipeline } from '@lk/operators';
import type { Database } from '@lk/store';

const root = resolve(__dirname, '..', '..', '..');

export type ResultRow = {
  key: string;
  window_start: number;
  window_end: number;
  values: Record<string, number | null>;
  revision: number;
  final: boolean;
};

/** What `lk-window` computes for one pipeline over a JSONL log: its window rows and its late (event, window)s. */
export interface ExpectedResults {
  results: ResultRow[];
  /** `partition@offset:start-end` of every late (event, window), sorted */
  late: string[];
}

/**
 * The ground truth a stored job is held to: `lk-window` (the operator library run over the generator's JSONL,
 * nothing of the services) against the rows and late events a job stored in PostgreSQL, compared row by row.
 * The e2e suites and the demo's self-check use it alike.
 */
export class GroundTruth {
  constructor(private readonly database: Database) {}

  /** `lk-window --mode <mode>` of one pipeline of `pipelinesFile` over the JSONL file `input`. */
  static expected(
    pipelinesFile: string,
    pipeline: string,
    mode: 'stream' | 'batch',
    input: string,
  ): ExpectedResults {
    const dir = mkdtempSync(join(tmpdir(), 'lk-ground-truth-'));
    try {
      const lateFile = join(dir, 'late.jsonl');
      const output = execFileSync(
        process.execPath,
        [
          join(root, 'libs/operators/dist/cli/lk-window.js'),
          ...['--pipelines', pipelinesFile, '--pipeline', pipeline],
          ...['--mode', mode, '--input', input, '--late', lateFile],
        ],
        { encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 },
      );
      const results = output
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as ResultRow)
        .map(({ key, window_start, window_end, values, revision, final }) => ({
          key,
          window_start,
          window_end,
          values,
          revision,
          final,
        }));
      const late = readFileSync(lateFile, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map(
          (line) =>
            JSON.parse(line) as {
              event: { partition: number; offset: number };
              window_start: number;
              window_end: number;
            },
        )
        .map((l) => `${l.event.partition}@${l.event.offset}:${l.window_start}-${l.window_end}`)
        .sort();
      return { results, late };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  /** A job's window_results rows (a speed version, a Kappa replay, a batch run), ordered as lk-window's. */
  async storedResultsOf(jobId: string): Promise<ResultRow[]> {
    const rows = await this.database.query<ResultRow & { window_start: string; window_end: string }>(
      `select key, window_start, window_end, values, revision, final from window_results
       where job_id = $1 order by key, window_start, window_end`,
      [jobId],
    );
    return rows.map((row) => ({
      ...row,
      window_start: Number(row.window_start),
      window_end: Number(row.window_end),
    }));
  }

  /** `partition@offset:start-end` of every late (event, window) a job stored, sorted. */
  async storedLateOf(jobId: string): Promise<string[]> {
    const rows = await this.database.query<{ id: string }>(
      `select partition || '@' || "offset" || ':' || window_start || '-' || window_end as id from late_events
       where job_id = $1 order by 1`,
      [jobId],
    );
    return rows.map((row) => row.id);
  }

  /**
   * Rows that differ (the first four, and the row counts when they differ): keys, bounds, revision and
   * finality exactly; values by the library's equality policy.
   */
  static differingRows(pipeline: Pipeline, actual: ResultRow[], expected: ResultRow[]): string[] {
    const differing: string[] = [];
    if (actual.length !== expected.length)
      differing.push(`row count ${actual.length}, expected ${expected.length}`);
    for (let i = 0; i < Math.min(actual.length, expected.length) && differing.length < 4; i++) {
      const row = actual[i]!;
      const other = expected[i]!;
      const same =
        row.key === other.key &&
        row.window_start === other.window_start &&
        row.window_end === other.window_end &&
        row.revision === other.revision &&
        row.final === other.final &&
        resultValuesEqual(pipeline.aggregations, row.values, other.values);
      if (!same) differing.push(`${JSON.stringify(row)} != ${JSON.stringify(other)}`);
    }
    return differing;
  }

  /** How many rows of `actual` equal their counterpart in `expected` (both in lk-window's order). */
  static equalRows(pipeline: Pipeline, actual: ResultRow[], expected: ResultRow[]): number {
    const byWindow = new Map(
      expected.map((row) => [`${row.key}\u0000${row.window_start}\u0000${row.window_end}`, row]),
    );
    let equal = 0;
    for (const row of actual) {
      const other = byWindow.get(`${row.key}\u0000${row.window_start}\u0000${row.window_end}`);
      if (
        other &&
        row.revision === other.revision &&
        row.final === other.final &&
        resultValuesEqual(pipeline.aggregations, row.values, other.values)
      )
        equal++;
    }
    return equal;
  }
}
