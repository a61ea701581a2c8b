/**
 * Kafka put a send's records on other partitions than our murmur2 predicted, so the offsets we would write
 * to the JSONL file would be wrong. Stops the run rather than writing a wrong record of what was produced.
 */
export class PartitionMismatchError extends Error {
  override readonly name = 'PartitionMismatchError';
  constructor(
    readonly topic: string,
    readonly predicted: number[],
    readonly actual: number[],
  ) {
    super(
      `records sent to "${topic}" landed on partitions [${actual.join(',')}] but the key hash predicted ` +
        `[${predicted.join(',')}]: the producer's partitioner is not Kafka's default murmur2`,
    );
  }
}
