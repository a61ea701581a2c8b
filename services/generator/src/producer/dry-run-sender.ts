import type { OutgoingRecord, SentRecordPosition } from '@lk/kafka';
import { partitionForKey } from '@lk/kafka';
import type { RecordSender } from './record-sender';

/**
 * Stands in for Kafka: answers as an empty topic with `partitions` partitions would (the key's murmur2
 * partition, offsets from 0). For measuring generation and encoding alone, and for previews.
 */
export class DryRunSender implements RecordSender {
  private readonly nextOffset: bigint[];

  constructor(readonly partitions: number) {
    this.nextOffset = Array.from({ length: partitions }, () => 0n);
  }

  async send(_topic: string, records: OutgoingRecord[]): Promise<SentRecordPosition[]> {
    const counts = new Map<number, number>();
    for (const record of records) {
      const partition =
        record.partition ?? (record.key === null ? 0 : partitionForKey(record.key, this.partitions));
      counts.set(partition, (counts.get(partition) ?? 0) + 1);
    }
    return [...counts].map(([partition, count]) => {
      const baseOffset = this.nextOffset[partition]!;
      this.nextOffset[partition] = baseOffset + BigInt(count);
      return { partition, baseOffset };
    });
  }
}
