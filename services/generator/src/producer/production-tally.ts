import type { GeneratedEvent } from '../generator/generated-event';
import type { ProductionSummary } from './production-summary';

/** Running counts for the summary. */
export class ProductionTally {
  sent = 0;
  private late = 0;
  private duplicates = 0;
  private v1 = 0;
  private readonly perPartition: number[];

  constructor(partitions: number) {
    this.perPartition = new Array<number>(partitions).fill(0);
  }

  add(generated: GeneratedEvent, partition: number): void {
    this.sent++;
    this.perPartition[partition]!++;
    if (generated.late) this.late++;
    if (generated.duplicate) this.duplicates++;
    if (generated.schemaVersion === 1) this.v1++;
  }

  summary(topic: string, elapsedMs: number, interrupted: boolean): ProductionSummary {
    return {
      topic,
      sent: this.sent,
      elapsedMs: Math.round(elapsedMs),
      eventsPerSecond: elapsedMs > 0 ? Math.round((this.sent * 1000) / elapsedMs) : 0,
      perPartition: Object.fromEntries(this.perPartition.map((count, partition) => [partition, count])),
      late: this.late,
      duplicates: this.duplicates,
      v1: this.v1,
      v2: this.sent - this.v1,
      interrupted,
    };
  }
}
