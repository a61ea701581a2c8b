export { describeValue } from './describe-value';
export { PipelineConfigError, type PipelineConfigErrorDetails } from './pipeline-config-error';
export { InvalidEventError } from './invalid-event-error';
export { InvalidPartitionError } from './invalid-partition-error';
export { EventTimeSkewError } from './event-time-skew-error';
export { MissingRecordTimestampError } from './missing-record-timestamp-error';
export { OperatorStateError } from './operator-state-error';
