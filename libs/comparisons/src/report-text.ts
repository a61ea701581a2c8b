import { ROW_CLASSES, type ComparisonReport, type JobFreshness, type ReplayFigures } from './comparison';
import type { ComparisonRow } from './comparisons';

/**
 * A comparison as text: the summary table (rows per class, with the reasons), the float tolerance and the
 * largest difference it let through, the deltas, the scorecard, and the unexplained rows themselves.
 */
export function reportText(report: ComparisonReport, unexplained: readonly ComparisonRow[] = []): string {
  const lines: string[] = [];
  const { summary, scorecard } = report;
  lines.push(
    `comparison ${report.id}: ${report.left.source} vs ${report.right.source} of ${report.pipeline} ` +
      `(${report.trigger}) ${report.status} in ${report.durationMs} ms`,
    `  left  ${report.left.source.padEnd(6)} ${String(report.left.rows).padStart(9)} windows  ${report.left.jobs.join(', ')}`,
    `  right ${report.right.source.padEnd(6)} ${String(report.right.rows).padStart(9)} windows  ${report.right.jobs.join(', ')}`,
  );
  if (report.error) lines.push(`  error: ${report.error}`);
  if (summary) {
    lines.push('', '  class        rows  reason');
    for (const rowClass of ROW_CLASSES) {
      const reasons = summary.reasons.filter((r) => r.class === rowClass);
      lines.push(
        `  ${rowClass.padEnd(11)} ${String(summary.rows[rowClass]).padStart(6)}` +
          (reasons.length === 1 ? `  ${reasons[0]!.reason}` : ''),
      );
      if (reasons.length > 1)
        for (const reason of reasons.slice(0, 5))
          lines.push(`  ${''.padEnd(11)} ${String(reason.rows).padStart(6)}    ${reason.reason}`);
    }
    const tolerance = `relative ${summary.tolerance.relative}, absolute floor ${summary.tolerance.absolute}`;
    const largest = Object.entries(summary.maxEqualDifference)
      .map(([name, d]) => `${name} ${d.absolute.toExponential(2)} (relative ${d.relative.toExponential(2)})`)
      .join(', ');
    lines.push(
      '',
      `  sum/avg compared within ${tolerance}${largest ? `; largest difference among equal rows: ${largest}` : ''}`,
      `  total |left − right| over the other rows: ${Object.entries(summary.totalAbsoluteDelta)
        .map(([name, delta]) => `${name} ${round(delta)}`)
        .join(', ')}`,
      `  late events involved: ${summary.lateEventsInvolved}`,
    );
  }
  if (scorecard) {
    lines.push('', '  scorecard');
    lines.push(`    speed layer     ${freshness(scorecard.speed)}`);
    lines.push(`    kappa (newest)  ${freshness(scorecard.kappa)}`);
    lines.push(`    last batch run  ${replay(scorecard.lastBatchRun)}`);
    lines.push(`    last kappa run  ${replay(scorecard.lastKappaReplay)}`);
    lines.push(
      `    dropped as late ${
        scorecard.lateDrops.length === 0
          ? 'nothing'
          : scorecard.lateDrops.map((d) => `${d.jobId} ${d.events} events (${d.windows} windows)`).join('; ')
      }`,
    );
    const { whatIf } = scorecard;
    if (whatIf)
      lines.push(
        `    what-if         ${whatIf.rightJob} vs ${whatIf.leftJob}: ${whatIf.lateEventsSaved} of the ` +
          `${whatIf.leftLateEvents} late events saved${percentOf(whatIf.lateEventsSaved, whatIf.leftLateEvents)}, ` +
          `${whatIf.windowsChanged} windows changed, results final ${whatIf.extraFinalLatencyMs / 1000} s later`,
      );
  }
  if (unexplained.length > 0) {
    lines.push('', `  unexplained rows (first ${unexplained.length}):`);
    for (const row of unexplained)
      lines.push(
        `    ${row.key} [${row.windowStart}, ${row.windowEnd}) partition ${row.partition ?? '-'}: ` +
          `left ${JSON.stringify(row.leftValues)} right ${JSON.stringify(row.rightValues)} — ${row.reason}`,
      );
  }
  return `${lines.join('\n')}\n`;
}

function freshness(job: JobFreshness | null): string {
  if (!job) return 'none';
  const lag = job.lagRecords === null ? 'lag unknown (Kafka not reachable)' : `lag ${job.lagRecords} records`;
  const delay =
    job.watermarkDelayMs === null
      ? 'no watermark yet'
      : job.watermarkDelayMs >= 0
        ? `watermark ${seconds(job.watermarkDelayMs)} behind now`
        : // generated event time can run ahead of the wall clock (the generator's --event-time-per-second)
          `watermark ${seconds(-job.watermarkDelayMs)} ahead of now`;
  const flush = job.lastFlushAgoMs === null ? '' : `, last flush ${seconds(job.lastFlushAgoMs)} ago`;
  return `${job.jobId}: ${lag}, ${delay}${flush}`;
}

function replay(run: ReplayFigures | null): string {
  if (!run) return 'none';
  return `${run.runId} (${run.jobId}): ${seconds(run.durationMs)}, ${run.events} events, ${run.eventsPerSecond} events/s`;
}

function seconds(ms: number): string {
  return ms >= 86_400_000 ? `${(ms / 86_400_000).toFixed(1)} d` : `${(ms / 1000).toFixed(1)} s`;
}

function round(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toPrecision(6);
}

/** ` (94.4 %)`; nothing when there is no whole to take a share of. */
function percentOf(part: number, whole: number): string {
  return whole > 0 ? ` (${((100 * part) / whole).toFixed(1)} %)` : '';
}
