/** Per-partition exponential backoff: doubles with each consecutive failure, resets after a success. */
export class PartitionBackoff {
  private readonly failures = new Map<string, number>();

  constructor(
    private readonly initialMs: number,
    private readonly maxMs: number,
  ) {}

  /** the delay before the next attempt, counting this failure */
  next(topic: string, partition: number): number {
    const key = `${topic}|${partition}`;
    const failures = (this.failures.get(key) ?? 0) + 1;
    this.failures.set(key, failures);
    return Math.min(this.initialMs * 2 ** Math.min(failures - 1, 30), this.maxMs);
  }

  succeeded(topic: string, partition: number): void {
    this.failures.delete(`${topic}|${partition}`);
  }
}
