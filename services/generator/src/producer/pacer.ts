import type { Clock } from './clock';

/**
 * Paces sends to a target rate. Each batch may start once the events before it are "due" at the rate
 * (start + sent / rate), so the average rate is exact however big the batches are. If sending falls behind
 * (Kafka slower than the rate, a GC pause), the pacer catches up by at most `maxBurstSeconds` worth of
 * events and forgets older debt, like a token bucket of that capacity: a stall is not followed by an
 * unbounded burst.
 */
export class Pacer {
  private origin: number | undefined;
  /** events counted from origin */
  private counted = 0;

  constructor(
    private readonly rate: number,
    private readonly clock: Clock,
    private readonly maxBurstSeconds = 1,
  ) {}

  /** Waits until the next `size` events are due, then counts them as sent. */
  async acquire(size: number): Promise<void> {
    if (this.rate <= 0) return;
    const now = this.clock.now();
    if (this.origin === undefined) this.origin = now;
    const dueAt = this.origin + (this.counted * 1000) / this.rate;
    const debtMs = now - dueAt;
    if (debtMs > this.maxBurstSeconds * 1000) {
      // too far behind: restart the schedule from "now minus one burst"
      this.origin = now - this.maxBurstSeconds * 1000;
      this.counted = 0;
    } else if (dueAt > now) {
      await this.clock.sleep(dueAt - now);
    }
    this.counted += size;
  }

  /** How many events one send should carry: about 20 sends a second, within [1, maxBatch]. */
  static batchSize(rate: number, maxBatch: number): number {
    if (rate <= 0) return maxBatch;
    return Math.max(1, Math.min(maxBatch, Math.round(rate / 20)));
  }
}
