export { CutoverRefusedError, ReplayNotFoundError, ReplayRequestError } from './errors';
export { redisConnection } from './redis-connection';
export {
  DEFAULT_CUTOVER_MAX_LAG,
  ReplayLauncher,
  type ReplayLauncherOptions,
  type ReplayRequest,
} from './replay-launcher';
export {
  DEFAULT_QUEUE_PREFIX,
  PARTITION_ATTEMPTS,
  PARTITION_JOB,
  REPLAY_QUEUE,
  RUN_JOB,
  replayFlow,
  type PartitionJobData,
  type PartitionJobProgress,
  type RunJobData,
} from './replay-queue';
export { queuePrefixFrom } from './queue-prefix';
