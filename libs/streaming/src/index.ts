export { StreamJob, type StreamJobOptions } from './stream-job';
export type { JobSource, JobSourceHandlers } from './job-source';
export { noMetrics, type JobMetrics } from './job-metrics';
export { buildFlush, flushTargetOf, type FlushTarget, type PartitionDrain } from './flush-builder';
export { restoredSnapshot } from './partition-restore';
export { batchJobId, speedJobId } from './job-ids';
export {
  PartitionFencedError,
  PartitionReplay,
  RecordsDeletedError,
  type PartitionReplayOptions,
  type PartitionReplayResult,
  type ReplayProgress,
} from './partition-replay';
export { LATE_TOPIC_SUFFIX, ResultPublisher, resultsTopic } from './result-publisher';
export { isPoisonError } from './poison';
export { readPipelinesFile } from './pipelines-file';
export {
  PipelineRecordDecoder,
  subjectOf,
  type PipelineRecordDecoderOptions,
  type SourceSchemaCheck,
} from './sources/pipeline-record-decoder';
export { checkPipelineSchema } from './sources/pipeline-schema-check';
export { PipelineSchemaError } from './sources/pipeline-schema-error';
