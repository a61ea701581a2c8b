import type { OperatorOutput, ResultChange, WindowRetraction } from './types';

function rowKey(window: WindowRetraction): string {
  return `${window.pipeline}\u0000${window.key}\u0000${window.windowStart}\u0000${window.windowEnd}`;
}

function compareRows(a: ResultChange, b: ResultChange): number {
  if (a.pipeline !== b.pipeline) return a.pipeline < b.pipeline ? -1 : 1;
  if (a.key !== b.key) return a.key < b.key ? -1 : 1;
  return a.windowStart - b.windowStart || a.windowEnd - b.windowEnd;
}

/** The latest result per window after applying flushes in order: what a results table ends up holding. */
export class ResultTable {
  private readonly rows = new Map<string, ResultChange>();

  get size(): number {
    return this.rows.size;
  }

  apply(output: Pick<OperatorOutput, 'changes' | 'retractions'>): this {
    for (const retraction of output.retractions) this.rows.delete(rowKey(retraction));
    for (const change of output.changes) this.rows.set(rowKey(change), change);
    return this;
  }

  /** Rows sorted by pipeline, key, window start and window end. */
  toArray(): ResultChange[] {
    return [...this.rows.values()].sort(compareRows);
  }
}
