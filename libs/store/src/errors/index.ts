export { JobDefinitionConflictError } from './job-definition-conflict-error';
