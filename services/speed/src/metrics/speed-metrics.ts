import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { JobMetrics } from '@lk/streaming';

/**
 * The speed service's Prometheus metrics. Lag is the log end offset (from the last fetch) minus the next
 * offset not yet in the results; watermark delay is computed at scrape time from the wall clock, so an idle
 * partition shows its growing age rather than a stale value.
 */
@Injectable()
export class SpeedMetrics implements JobMetrics {
  readonly registry = new Registry();
  private readonly watermarks = new Map<string, { pipeline: string; partition: number; watermark: number }>();
  private readonly lag = new Gauge({
    name: 'lk_consumer_lag',
    help: 'Records in the log not yet reflected in the results (end offset - next offset)',
    labelNames: ['group', 'topic', 'partition'],
    registers: [this.registry],
  });
  private readonly endOffset = new Gauge({
    name: 'lk_log_end_offset',
    help: 'Log end offset of a partition at the last fetch (its rate is the input rate)',
    labelNames: ['group', 'topic', 'partition'],
    registers: [this.registry],
  });
  private readonly eventsInTotal = new Counter({
    name: 'lk_events_in_total',
    help: 'Events applied to the operators',
    labelNames: ['pipeline'],
    registers: [this.registry],
  });
  private readonly resultsOutTotal = new Counter({
    name: 'lk_results_out_total',
    help: 'Window result upserts written',
    labelNames: ['pipeline'],
    registers: [this.registry],
  });
  private readonly lateTotal = new Counter({
    name: 'lk_late_events_total',
    help: '(event, window) pairs dropped as late',
    labelNames: ['pipeline'],
    registers: [this.registry],
  });
  private readonly dlqTotal = new Counter({
    name: 'lk_dlq_records_total',
    help: 'Records sent to the dead-letter queue',
    labelNames: ['pipeline'],
    registers: [this.registry],
  });
  private readonly flushSeconds = new Histogram({
    name: 'lk_flush_duration_seconds',
    help: 'Duration of a flush transaction',
    labelNames: ['pipeline'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  private readonly flushRows = new Histogram({
    name: 'lk_flush_rows',
    help: 'Rows (window upserts, retractions, late events) per flush',
    labelNames: ['pipeline'],
    buckets: [1, 10, 100, 1_000, 10_000, 100_000],
    registers: [this.registry],
  });
  private readonly openWindows = new Gauge({
    name: 'lk_open_windows',
    help: 'Open windows held in memory',
    labelNames: ['pipeline'],
    registers: [this.registry],
  });
  private readonly keys = new Gauge({
    name: 'lk_keys_in_memory',
    help: 'Keys holding state in memory',
    labelNames: ['pipeline'],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    const watermarks = this.watermarks;
    new Gauge({
      name: 'lk_watermark_delay_seconds',
      help: 'Wall clock minus the partition watermark',
      labelNames: ['pipeline', 'partition'],
      registers: [this.registry],
      collect() {
        this.reset();
        const now = Date.now();
        for (const { pipeline, partition, watermark } of watermarks.values())
          this.set({ pipeline, partition: String(partition) }, (now - watermark) / 1000);
      },
    });
  }

  eventsIn(pipeline: string, count: number): void {
    if (count > 0) this.eventsInTotal.inc({ pipeline }, count);
  }
  resultsOut(pipeline: string, count: number): void {
    if (count > 0) this.resultsOutTotal.inc({ pipeline }, count);
  }
  lateEvents(pipeline: string, count: number): void {
    if (count > 0) this.lateTotal.inc({ pipeline }, count);
  }
  deadLettered(pipeline: string, count: number): void {
    if (count > 0) this.dlqTotal.inc({ pipeline }, count);
  }
  flushed(pipeline: string, seconds: number, rows: number): void {
    this.flushSeconds.observe({ pipeline }, seconds);
    this.flushRows.observe({ pipeline }, rows);
  }
  position(
    _pipeline: string,
    group: string,
    topic: string,
    partition: number,
    endOffset: number,
    nextOffset: number,
  ): void {
    const labels = { group, topic, partition: String(partition) };
    this.lag.set(labels, Math.max(0, endOffset - nextOffset));
    this.endOffset.set(labels, endOffset);
  }
  watermark(pipeline: string, partition: number, watermark: number | null): void {
    if (watermark === null) return;
    this.watermarks.set(`${pipeline}|${partition}`, { pipeline, partition, watermark });
  }
  state(pipeline: string, openWindows: number, keys: number): void {
    this.openWindows.set({ pipeline }, openWindows);
    this.keys.set({ pipeline }, keys);
  }
  forgetPartition(pipeline: string, group: string, topic: string, partition: number): void {
    this.lag.remove({ group, topic, partition: String(partition) });
    this.endOffset.remove({ group, topic, partition: String(partition) });
    this.watermarks.delete(`${pipeline}|${partition}`);
  }
}
