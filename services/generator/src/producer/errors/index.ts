export { TopicNotFoundError } from './topic-not-found-error';
export { PartitionMismatchError } from './partition-mismatch-error';
