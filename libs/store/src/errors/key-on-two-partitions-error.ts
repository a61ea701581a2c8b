/**
 * A window of one key was computed from two partitions of the source: the topic is not partitioned by the
 * pipeline's key (a producer keyed by order id, a pipeline keyed by customer). Windows are kept per partition,
 * so each partition would hold part of the key's events and overwrite the other's result; the flush is refused
 * instead. Key the producer by the pipeline's key, or key the pipeline by the record key (`key: $key`).
 */
export class KeyOnTwoPartitionsError extends Error {
  override readonly name = 'KeyOnTwoPartitionsError';
  constructor(
    readonly jobId: string,
    readonly key: string,
    readonly partitions: readonly number[],
  ) {
    super(
      `${jobId}: key ${JSON.stringify(key.slice(0, 100))} has events on partitions ${partitions.join(' and ')} ` +
        `of its source: a pipeline's key must be what the topic is partitioned by (records of one key on one ` +
        `partition, as a keyed producer writes them); key the producer by it, or use key: $key`,
    );
  }
}
