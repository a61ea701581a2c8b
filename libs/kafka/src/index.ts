export { KafkaClient, type KafkaClientOptions } from './kafka-client';
export type { ConsumerSettings, ProducerSettings, RetrySettings } from './settings';
export { KafkaProducer, type SentRecordPosition } from './kafka-producer';
export { KafkaConsumer, type ConsumeOptions } from './kafka-consumer';
export type { ConsumerEventListener, ConsumerEventMap, ConsumerEventType } from './consumer-events';
export { KafkaAdmin, type PartitionReplicas, type TopicSpec } from './kafka-admin';
export { ConsumerCrashedError } from './errors/consumer-crashed-error';
export { RetryBatchLaterError } from './errors/retry-batch-later-error';
export { DeleteGroupsError } from './errors/delete-groups-error';
export { UnacknowledgedSendError } from './errors/unacknowledged-send-error';
export { mapKafkajsLogLine, type MappedLogLine } from './kafkajs-log-bridge';
export { batchGroupId, speedGroupId } from './group-ids';
export type {
  ConsumedBatch,
  ConsumedRecord,
  Headers,
  OutgoingHeaderValue,
  OutgoingHeaders,
  OutgoingRecord,
  RawHeaders,
  TopicPartition,
  TopicPartitionOffset,
} from './types';
export { DeadLetterHeaders } from './dead-letter/dead-letter-headers';
export {
  DeadLetterQueue,
  type DeadLetter,
  type DeadLetterQueueOptions,
  deadLetterTopic,
} from './dead-letter/dead-letter-queue';
export { DeadLetterQueueUnavailableError } from './dead-letter/dead-letter-queue-unavailable-error';
export { DeadLetterShareExceededError } from './dead-letter/dead-letter-share-exceeded-error';
export { fitLetter, recordBytes } from './dead-letter/letter-size';
export {
  decodingBatchHandler,
  defaultSafetyValve,
  type Decoded,
  type DecodingBatchHandlerOptions,
} from './dead-letter/decoding-batch-handler';
export { createJavaCompatiblePartitioner, murmur2, partitionForKey } from './partitioner';
export { consumeUntil, type ConsumeUntilOptions } from './consume-until';
export { readPartitionRange, type PartitionRangeOptions } from './partition-range-reader';
export { endOffsetsReader } from './end-offsets-reader';
