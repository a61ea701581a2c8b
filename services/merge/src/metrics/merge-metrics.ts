import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { ROW_CLASSES, type ComparisonReport } from '@lk/comparisons';

/** The merge service's Prometheus metrics: the latest comparison's rows per class, and how comparisons go. */
@Injectable()
export class MergeMetrics {
  readonly registry = new Registry();
  private readonly rows = new Gauge({
    name: 'lk_comparison_rows',
    help: 'Windows per class in the latest comparison of a pipeline (left vs right source)',
    labelNames: ['pipeline', 'left', 'right', 'class'],
    registers: [this.registry],
  });
  private readonly comparisons = new Counter({
    name: 'lk_comparisons_total',
    help: 'Comparisons run, by trigger and outcome (completed, unexplained, failed)',
    labelNames: ['pipeline', 'trigger', 'outcome'],
    registers: [this.registry],
  });
  private readonly duration = new Histogram({
    name: 'lk_comparison_duration_seconds',
    help: 'Time to run one comparison',
    labelNames: ['pipeline'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  completed(report: ComparisonReport): void {
    const { pipeline, summary } = report;
    if (summary)
      for (const rowClass of ROW_CLASSES)
        this.rows.set(
          { pipeline, left: report.left.source, right: report.right.source, class: rowClass },
          summary.rows[rowClass],
        );
    const outcome = summary && summary.rows.unexplained > 0 ? 'unexplained' : 'completed';
    this.comparisons.inc({ pipeline, trigger: triggerKind(report.trigger), outcome });
    this.duration.observe({ pipeline }, report.durationMs / 1000);
  }

  failed(pipeline: string, trigger: string): void {
    this.comparisons.inc({ pipeline, trigger: triggerKind(trigger), outcome: 'failed' });
  }
}

/** 'replay:<run id>' → 'replay': a label per run would grow without bound. */
function triggerKind(trigger: string): string {
  return trigger.split(':')[0]!;
}
