import { replayProgress } from '@lk/store';

/** One run as the API shows it, as far as progress goes. */
export interface RunProgress {
  id: string;
  pipeline: string;
  status: string;
  partitions: {
    partition: number;
    startOffset: number;
    endOffset: number;
    nextOffset: number;
    done: boolean;
  }[];
}

const WIDTH = 30;

/**
 * A progress bar per partition of a run, with the run's rate and ETA, redrawn in place on a terminal; without
 * one (a log file, CI), a line per tenth of the way instead of a redraw per poll.
 */
export class PartitionBars {
  private drawnLines = 0;
  private readonly started = Date.now();
  private lastTenth = -1;

  constructor(private readonly out: NodeJS.WriteStream = process.stderr) {}

  update(run: RunProgress): void {
    const { records: total, consumed: done, fraction } = replayProgress(run);
    const seconds = (Date.now() - this.started) / 1000;
    const rate = seconds > 0 ? done / seconds : 0;
    const eta = rate > 0 && fraction < 1 ? `, ETA ${Math.ceil((total - done) / rate)} s` : '';
    const header = `${run.id} ${run.pipeline} ${run.status}: ${done}/${total} records (${(fraction * 100).toFixed(1)} %), ${Math.round(rate)}/s${eta}`;
    if (!this.out.isTTY) {
      const tenth = Math.floor(fraction * 10);
      if (tenth !== this.lastTenth || run.status !== 'running') this.out.write(`${header}\n`);
      this.lastTenth = tenth;
      return;
    }
    const lines = [
      header,
      ...run.partitions.map((p) => {
        const size = p.endOffset - p.startOffset;
        const part = size === 0 ? 1 : (p.nextOffset - p.startOffset) / size;
        const filled = Math.round(part * WIDTH);
        return `  p${String(p.partition).padStart(3)} [${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}] ${(part * 100).toFixed(0).padStart(3)} %${p.done ? ' done' : ''}`;
      }),
    ];
    if (this.drawnLines > 0) this.out.write(`\x1b[${this.drawnLines}A`);
    this.out.write(lines.map((line) => `\x1b[2K${line}\n`).join(''));
    this.drawnLines = lines.length;
  }
}
