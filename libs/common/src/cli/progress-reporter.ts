/** Monotonic milliseconds, injected so progress can be tested without waiting. */
export interface ProgressClock {
  now(): number;
}

export interface ProgressStream {
  isTTY?: boolean;
  write(text: string): unknown;
}

/**
 * A progress bar on stderr. On a terminal it redraws one line in place (at most every 100 ms); elsewhere
 * (CI logs, files) it prints a line at every 10 % or every 5 s, whichever comes first, so logs stay short.
 */
export class ProgressReporter {
  private readonly startedAt: number;
  private lastDrawAt = -Infinity;
  private lastDecile = 0;
  private finished = false;

  constructor(
    private readonly total: number,
    private readonly stream: ProgressStream,
    private readonly clock: ProgressClock = { now: () => performance.now() },
    private readonly label = 'generate',
  ) {
    this.startedAt = clock.now();
    // off a terminal the first line comes at 10 % or after 5 s, not on the first update
    if (!stream.isTTY) this.lastDrawAt = this.startedAt;
  }

  update(done: number): void {
    if (this.finished) return;
    const now = this.clock.now();
    if (this.stream.isTTY) {
      if (now - this.lastDrawAt < 100 && done < this.total) return;
      this.lastDrawAt = now;
      this.stream.write(`\r\x1b[2K${this.render(done, now)}`);
      return;
    }
    const decile = this.total > 0 ? Math.floor((done * 10) / this.total) : 10;
    if (decile > this.lastDecile || now - this.lastDrawAt >= 5_000) {
      this.lastDecile = decile;
      this.lastDrawAt = now;
      this.stream.write(`${this.render(done, now)}\n`);
    }
  }

  /** Ends the bar's line (on a terminal) so what follows starts on a fresh line. */
  finish(done: number): void {
    if (this.finished) return;
    if (this.stream.isTTY) {
      this.lastDrawAt = -Infinity;
      this.update(done);
      this.stream.write('\n');
    } else if (done < this.total || this.lastDecile < 10) {
      this.stream.write(`${this.render(done, this.clock.now())}\n`);
    }
    this.finished = true;
  }

  render(done: number, now: number): string {
    const fraction = this.total > 0 ? Math.min(1, done / this.total) : 1;
    const width = 30;
    const filled = Math.round(fraction * width);
    const elapsedSeconds = (now - this.startedAt) / 1000;
    const rate = elapsedSeconds > 0 ? done / elapsedSeconds : 0;
    const eta = rate > 0 && done < this.total ? ` eta ${Math.ceil((this.total - done) / rate)}s` : '';
    return (
      `${this.label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}% ` +
      `${done}/${this.total} ${Math.round(rate)} ev/s ${elapsedSeconds.toFixed(1)}s${eta}`
    );
  }
}
