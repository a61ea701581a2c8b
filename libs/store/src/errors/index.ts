export { JobDefinitionConflictError } from './job-definition-conflict-error';
export { KeyOnTwoPartitionsError } from './key-on-two-partitions-error';
