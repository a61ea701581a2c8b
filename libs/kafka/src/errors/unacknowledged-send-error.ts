/**
 * kafkajs resolved a send without exactly one acknowledgement for each partition it placed records in: some
 * records may not be written, so the send is not reported as done.
 */
export class UnacknowledgedSendError extends Error {
  override readonly name = 'UnacknowledgedSendError';
  constructor(
    readonly topic: string,
    readonly acknowledged: number[],
    readonly placed: number[],
  ) {
    super(
      `send to ${topic}: kafkajs answered for partitions [${acknowledged.join(', ')}] ` +
        `but placed records in [${placed.join(', ')}]`,
    );
  }
}
