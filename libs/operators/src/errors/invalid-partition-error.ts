import { MAX_PARTITION } from '../limits';
import { describeValue } from './describe-value';

/**
 * A partition number that cannot be a Kafka partition. A RangeError, since it is the caller's argument that
 * is wrong, not the record: nothing of the operator's state is touched.
 */
export class InvalidPartitionError extends RangeError {
  override readonly name = 'InvalidPartitionError';

  constructor(readonly partition: unknown) {
    super(
      `partition must be a Kafka partition number (an integer from 0 to ${MAX_PARTITION}), got ${describeValue(partition)}`,
    );
  }
}
