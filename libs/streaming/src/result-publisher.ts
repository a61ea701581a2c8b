import type { KafkaProducer, OutgoingRecord } from '@lk/kafka';
import type { StreamFlush } from '@lk/store';

/** The compacted topic of a pipeline version's window results. */
export function resultsTopic(pipeline: string, version: number): string {
  return `lk.window-results.${pipeline}.v${version}`;
}

export const LATE_TOPIC_SUFFIX = '.late';

/**
 * Sends a flush's window upserts (key `key|window_start`, a tombstone for a retracted session) and late
 * events to Kafka. It runs inside the flush transaction, after the partitions' epochs are checked and before
 * the commit: whatever Postgres holds was sent, so a crash can re-send an upsert (same revision) but never
 * skip one, and a fenced writer sends nothing.
 */
export class ResultPublisher {
  constructor(
    private readonly producer: KafkaProducer,
    private readonly resultsTopic: string,
    private readonly lateTopic: string,
    private readonly version: number,
  ) {}

  async publish(flush: StreamFlush): Promise<void> {
    const upserts: OutgoingRecord[] = [];
    for (const retraction of flush.retractions)
      upserts.push({ key: `${retraction.key}|${retraction.windowStart}`, value: null });
    for (const change of flush.changes) {
      upserts.push({
        key: `${change.key}|${change.windowStart}`,
        value: Buffer.from(
          JSON.stringify({
            pipeline: flush.pipeline,
            version: this.version,
            key: change.key,
            windowStart: change.windowStart,
            windowEnd: change.windowEnd,
            values: change.values,
            revision: change.revision,
            final: change.final,
          }),
        ),
      });
    }
    const late: OutgoingRecord[] = flush.late.map((record) => ({
      key: record.key,
      value: Buffer.from(JSON.stringify({ pipeline: flush.pipeline, version: this.version, ...record })),
      headers: { 'lk.pipeline': flush.pipeline, 'lk.version': String(this.version) },
    }));
    await this.sendInChunks(this.resultsTopic, upserts);
    await this.sendInChunks(this.lateTopic, late);
  }

  /**
   * The broker checks max.message.bytes (1 MB by default) per record batch, and a send puts all its records
   * for one partition into one batch: a flush of many windows is sent in slices well below that, in order.
   */
  private async sendInChunks(topic: string, records: OutgoingRecord[]): Promise<void> {
    let chunk: OutgoingRecord[] = [];
    let bytes = 0;
    for (const record of records) {
      const size = (record.value?.length ?? 0) + 64;
      if (chunk.length > 0 && bytes + size > MAX_SEND_BYTES) {
        await this.producer.send(topic, chunk);
        chunk = [];
        bytes = 0;
      }
      chunk.push(record);
      bytes += size;
    }
    if (chunk.length > 0) await this.producer.send(topic, chunk);
  }
}

/** Half the broker's default max.message.bytes, leaving room for keys, headers and batch overhead. */
const MAX_SEND_BYTES = 512 * 1024;
