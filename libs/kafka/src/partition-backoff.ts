/**
 * Per-partition exponential backoff: doubles with each consecutive failure, resets after a success. It also
 * knows since when a partition has been failing, so a caller can tell a passing fault (a broker restart,
 * retried until it succeeds) from one that needs a human.
 */
export class PartitionBackoff {
  private readonly failing = new Map<string, { failures: number; sinceMs: number }>();

  constructor(
    private readonly initialMs: number,
    private readonly maxMs: number,
  ) {}

  /** the delay before the next attempt, counting this failure (at `nowMs`) */
  next(topic: string, partition: number, nowMs: number): number {
    const key = `${topic}|${partition}`;
    const state = this.failing.get(key) ?? { failures: 0, sinceMs: nowMs };
    state.failures++;
    this.failing.set(key, state);
    return Math.min(this.initialMs * 2 ** Math.min(state.failures - 1, 30), this.maxMs);
  }

  /** how long the partition has been failing without a success in between (0 when it is not) */
  failingForMs(topic: string, partition: number, nowMs: number): number {
    const state = this.failing.get(`${topic}|${partition}`);
    return state ? nowMs - state.sinceMs : 0;
  }

  succeeded(topic: string, partition: number): void {
    this.failing.delete(`${topic}|${partition}`);
  }
}
