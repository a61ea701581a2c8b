/** One partition's consumer lag: records in the log that the consumer has not applied yet. */
export interface PartitionLag {
  readonly partition: number;
  /** the log end offset (the offset the next record written will get) */
  readonly endOffset: number;
  /** the next offset the consumer will apply; null when it has no state for the partition yet */
  readonly nextOffset: number | null;
  /** `endOffset − nextOffset`, never below 0; all of the partition when `nextOffset` is null */
  readonly lag: number;
}

/**
 * Consumer lag per partition of a topic, in the order of `logEnd`: the one definition behind the admin API's
 * /lag and the comparison scorecard's freshness, so the two never disagree.
 */
export function consumerLag(
  logEnd: ReadonlyMap<number, number | bigint>,
  nextOffsets: ReadonlyMap<number, number>,
): PartitionLag[] {
  return [...logEnd].map(([partition, end]) => {
    const endOffset = Number(end);
    const nextOffset = nextOffsets.get(partition) ?? null;
    return { partition, endOffset, nextOffset, lag: Math.max(0, endOffset - (nextOffset ?? 0)) };
  });
}

/** The records behind over all partitions. */
export function totalLag(partitions: readonly PartitionLag[]): number {
  return partitions.reduce((sum, partition) => sum + partition.lag, 0);
}
