/** What a run produced; printed by the CLI and returned by the library. */
export interface ProductionSummary {
  topic: string;
  /** records acknowledged by Kafka (duplicates included) */
  sent: number;
  /** from the first send to the last acknowledgement */
  elapsedMs: number;
  eventsPerSecond: number;
  /** records per partition, every partition of the topic listed (0 when none) */
  perPartition: Record<number, number>;
  /** records whose ts was pushed back beyond the disorder bound (duplicates of late events included) */
  late: number;
  duplicates: number;
  v1: number;
  v2: number;
  /** stopped (signal) before all records were sent */
  interrupted: boolean;
}

/** The summary for people: a few aligned lines. */
export function formatSummary(summary: ProductionSummary): string {
  const partitions = Object.entries(summary.perPartition)
    .map(([partition, count]) => `${partition}:${count}`)
    .join(' ');
  const share = (n: number): string => (summary.sent ? ((100 * n) / summary.sent).toFixed(2) : '0.00') + '%';
  return [
    `topic        ${summary.topic}${summary.interrupted ? ' (interrupted)' : ''}`,
    `sent         ${summary.sent} in ${(summary.elapsedMs / 1000).toFixed(2)}s = ${Math.round(summary.eventsPerSecond)} events/s`,
    `partitions   ${partitions}`,
    `late         ${summary.late} (${share(summary.late)})`,
    `duplicates   ${summary.duplicates} (${share(summary.duplicates)})`,
    `versions     v1 ${summary.v1} (${share(summary.v1)}), v2 ${summary.v2} (${share(summary.v2)})`,
  ].join('\n');
}
