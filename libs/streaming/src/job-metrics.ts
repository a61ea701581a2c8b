/** What a streaming job reports; SpeedMetrics implements it with Prometheus metrics. */
export interface JobMetrics {
  eventsIn(pipeline: string, count: number): void;
  resultsOut(pipeline: string, count: number): void;
  lateEvents(pipeline: string, count: number): void;
  deadLettered(pipeline: string, count: number): void;
  flushed(pipeline: string, seconds: number, rows: number): void;
  /** log end offset and next offset of a partition, for lag */
  position(
    pipeline: string,
    group: string,
    topic: string,
    partition: number,
    endOffset: number,
    nextOffset: number,
  ): void;
  watermark(pipeline: string, partition: number, watermark: number | null): void;
  state(pipeline: string, openWindows: number, keys: number): void;
  forgetPartition(pipeline: string, group: string, topic: string, partition: number): void;
}

export const noMetrics: JobMetrics = {
  eventsIn: () => undefined,
  resultsOut: () => undefined,
  lateEvents: () => undefined,
  deadLettered: () => undefined,
  flushed: () => undefined,
  position: () => undefined,
  watermark: () => undefined,
  state: () => undefined,
  forgetPartition: () => undefined,
};
