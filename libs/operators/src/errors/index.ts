export { describeValue } from './describe-value';
export { PipelineConfigError, type PipelineConfigErrorDetails } from './pipeline-config-error';
export { InvalidEventError } from './invalid-event-error';
export { OperatorStateError } from './operator-state-error';
