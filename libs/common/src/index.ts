export { ConfigError } from './errors';
export { EnvReader } from './config/env-reader';
export {
  loadStackConfig,
  loadStackSettings,
  STACK_DEPENDENCIES,
  type StackConfig,
  type StackDependency,
} from './config/stack-config';
export {
  Logger,
  LOG_LEVELS,
  logLevelFromEnv,
  stderrSink,
  type LogLevel,
  type LogSink,
} from './logging/logger';
export { serializeError, type SerializedError } from './logging/serialize-error';
export { UsageError } from './cli/usage-error';
export { cliFailure, runCli, type CliMain, type CliOptions } from './cli/run-cli';
export { ProgressReporter, type ProgressClock, type ProgressStream } from './cli/progress-reporter';
export { sortableId } from './ids/sortable-id';
export { consumerLag, totalLag, type PartitionLag } from './lag/consumer-lag';
