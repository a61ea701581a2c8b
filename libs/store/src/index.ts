export { Database } from './database';
export { MIGRATIONS_DIR, migrate } from './migrator';
export { JobDefinitionConflictError, KeyOnTwoPartitionsError } from './errors';
export { StreamJobStore } from './stream/stream-job-store';
export type {
  ClaimedPartition,
  FlushOutcome,
  LateEventRow,
  PartitionProgress,
  RetractedWindow,
  StreamFlush,
  WindowRow,
} from './stream/stream-flush';
export { JobDefinitions, type RecordedDefinition } from './versions/job-definitions';
export { definitionDifferences } from './versions/definition-differences';
export { ReplayRuns } from './replays/replay-runs';
export {
  replayProgress,
  TERMINAL_STATUSES,
  type ReplayProgress,
  type NewReplayRun,
  type ReplayMode,
  type ReplayPartition,
  type ReplayRun,
  type ReplayStatus,
  type ServingVersion,
} from './replays/replay-run';
export type { PoolClient } from 'pg';
export { compactJobTables, type CompactedTable } from './maintenance/compact-job-tables';
