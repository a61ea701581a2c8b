/** Our own record types: services never see kafkajs types, so the client can be swapped. */
export type Headers = Record<string, string>;

export interface OutgoingRecord {
  key: string | null;
  value: Buffer | null;
  headers?: Headers;
  partition?: number;
  /** producer timestamp, epoch ms */
  timestamp?: number;
}

export interface ConsumedRecord {
  topic: string;
  partition: number;
  offset: bigint;
  key: Buffer | null;
  value: Buffer | null;
  headers: Headers;
  /** broker/producer timestamp, epoch ms */
  timestamp: number;
}

export interface ConsumedBatch {
  topic: string;
  partition: number;
  records: ConsumedRecord[];
  /** the partition's log end offset when the batch was fetched, for lag */
  highWatermark: bigint;
}

export interface TopicPartitionOffset {
  topic: string;
  partition: number;
  /** the next offset to read */
  offset: bigint;
}
