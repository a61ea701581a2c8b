export { AvroEventEncoder } from './avro-event-encoder';
export { systemClock, type Clock } from './clock';
export { DryRunSender } from './dry-run-sender';
export { PartitionMismatchError, TopicNotFoundError } from './errors';
export {
  DEFAULT_MAX_BATCH_SIZE,
  EventProducer,
  type EventEncoder,
  type EventProducerOptions,
  type LineSink,
  type ProgressSink,
} from './event-producer';
export { jsonlLine, type JsonlRecord } from './jsonl-line';
export { JsonlWriter } from './jsonl-writer';
export { Pacer } from './pacer';
export { formatSummary, type ProductionSummary } from './production-summary';
export { ProductionTally } from './production-tally';
export { ProgressReporter, type ProgressStream } from '@lk/common';
export type { RecordSender } from './record-sender';
export { runGeneration, type GenerationResult, type GenerationRunOptions } from './run-generation';
