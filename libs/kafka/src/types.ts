/** Our own record types: services never see kafkajs types, so the client can be swapped. */

/** Header values decoded as UTF-8, the last value of a repeated header winning: convenient for reading. */
export type Headers = Record<string, string>;

/**
 * Headers exactly as consumed: every value of a repeated header, in the order it came, as bytes (null when
 * the producer sent a null value). What a byte-for-byte copy (the DLQ) must use.
 */
export type RawHeaders = Record<string, (Buffer | null)[]>;

/**
 * One outgoing header value: a string is sent as UTF-8, an array sends the header once per value. No null:
 * kafkajs 2.2.4 cannot encode a null header value (see README), although Kafka allows it and we read it.
 */
export type OutgoingHeaderValue = string | Buffer;

export type OutgoingHeaders = Record<string, OutgoingHeaderValue | OutgoingHeaderValue[]>;

export interface OutgoingRecord {
  /** a Buffer is sent as is, so a copied key lands on the partition the original key did */
  key: string | Buffer | null;
  value: Buffer | null;
  headers?: OutgoingHeaders;
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
  rawHeaders: RawHeaders;
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

export interface TopicPartition {
  topic: string;
  partition: number;
}

export interface TopicPartitionOffset {
  topic: string;
  partition: number;
  /** the next offset to read */
  offset: bigint;
}
