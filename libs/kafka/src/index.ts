export { KafkaClient, type KafkaClientOptions } from './kafka-client';
export { KafkaProducer, type SentRecordPosition } from './kafka-producer';
export { KafkaConsumer, type ConsumeOptions } from './kafka-consumer';
export { KafkaAdmin, type TopicSpec } from './kafka-admin';
export { batchGroupId, speedGroupId } from './group-ids';
export type { ConsumedBatch, ConsumedRecord, Headers, OutgoingRecord, TopicPartitionOffset } from './types';
export { DeadLetterHeaders } from './dead-letter/dead-letter-headers';
export { DeadLetterQueue, type DeadLetter } from './dead-letter/dead-letter-queue';
export {
  decodingBatchHandler,
  type Decoded,
  type DecodingBatchHandlerOptions,
} from './dead-letter/decoding-batch-handler';
export { murmur2, partitionForKey } from './partitioner';
export { consumeUntil, type ConsumeUntilOptions } from './consume-until';
