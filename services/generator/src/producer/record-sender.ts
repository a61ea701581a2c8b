import type { OutgoingRecord, SentRecordPosition } from '@lk/kafka';

/** What the EventProducer needs of a producer; KafkaProducer fits it, and so does DryRunSender. */
export interface RecordSender {
  send(topic: string, records: OutgoingRecord[]): Promise<SentRecordPosition[]>;
}
