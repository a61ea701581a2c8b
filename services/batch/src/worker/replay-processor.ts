import { Inject, Injectable } from '@nestjs/common';
import { UnrecoverableError, type Job } from 'bullmq';
import { Logger } from '@lk/common';
import { DeadLetterQueue, KafkaClient, type KafkaAdmin, type KafkaProducer } from '@lk/kafka';
import { toDefinition, validatePipelines, type Pipeline } from '@lk/operators';
import {
  PARTITION_ATTEMPTS,
  PARTITION_JOB,
  RUN_JOB,
  type PartitionJobData,
  type PartitionJobProgress,
  type RunJobData,
} from '@lk/replays';
import { createUserEventDecoder, SchemaRegistryClient, type UserEvent } from '@lk/schemas';
import { Database, ReplayRuns, StreamJobStore, type ReplayRun } from '@lk/store';
import {
  isPoisonError,
  PartitionReplay,
  ResultPublisher,
  resultsTopic,
  type PartitionReplayResult,
} from '@lk/streaming';
import { BATCH_CONFIG } from '../config/batch-config.module';
import type { BatchConfig } from '../config/batch-config';

/** The run was cancelled (or failed elsewhere) while this job ran: stop without retrying. */
class RunNotRunnableError extends UnrecoverableError {
  constructor(runId: string, status: string) {
    super(`replay run ${runId} is ${status}`);
    this.name = 'RunNotRunnableError';
  }
}

/**
 * What the workers do with the replay queue's jobs. A `partition` job replays its partition's snapshotted
 * range (PartitionReplay: incremental flushes, resumable, fenced) and marks it done with its last flush; the
 * `run` parent, which BullMQ starts once every child completed, completes the run. A child failing for
 * good fails the run; a cancelled run stops its children at their next flush.
 */
@Injectable()
export class ReplayProcessor {
  private readonly logger = new Logger('batch');
  readonly kafka: KafkaClient;
  private readonly database: Database;
  private readonly runs: ReplayRuns;
  private readonly store: StreamJobStore;
  private readonly producer: KafkaProducer;
  private readonly admin: KafkaAdmin;
  private readonly registry: SchemaRegistryClient;
  private connected: Promise<void> | undefined;

  constructor(@Inject(BATCH_CONFIG) private readonly config: BatchConfig) {
    this.kafka = new KafkaClient({
      brokers: config.stack.kafkaBrokers,
      clientId: 'lk-batch',
      logger: this.logger,
    });
    this.database = new Database(config.stack.databaseUrl, {
      max: 2 + config.concurrency * 2,
      applicationName: 'lk-batch',
    });
    this.runs = new ReplayRuns(this.database);
    this.store = new StreamJobStore(this.database);
    this.producer = this.kafka.producer();
    this.admin = this.kafka.admin();
    this.registry = new SchemaRegistryClient(config.stack.schemaRegistryUrl);
  }

  async process(job: Job, signal?: AbortSignal): Promise<unknown> {
    if (job.name === RUN_JOB) return this.completeRun(job.data as RunJobData);
    if (job.name === PARTITION_JOB) return this.replayPartition(job as Job<PartitionJobData>, signal);
    throw new UnrecoverableError(`unknown job "${job.name}" in the replay queue`);
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.producer.disconnect(), this.admin.disconnect()]);
    await this.database.close();
  }

  private async completeRun({ runId }: RunJobData): Promise<{ status: string }> {
    const status = await this.runs.complete(runId);
    if (status === 'completed') this.logger.info('replay completed', { run: runId });
    return { status: status ?? 'missing' };
  }

  private async replayPartition(job: Job<PartitionJobData>, signal?: AbortSignal): Promise<unknown> {
    const { runId, partition } = job.data;
    const run = await this.runs.get(runId);
    if (!run) throw new UnrecoverableError(`no replay run ${runId}`);
    const range = run.partitions.find((p) => p.partition === partition);
    if (!range) throw new UnrecoverableError(`replay run ${runId} has no partition ${partition}`);
    if (run.status === 'cancelled' || run.status === 'failed')
      throw new RunNotRunnableError(runId, run.status);
    if (range.done || run.status === 'completed') return { partition, done: true };
    await this.runs.markRunning(runId);
    await this.connect();
    // a cancel is seen at the next flush; BullMQ's own signal (worker shutdown, cancelJob) ends it too
    const cancelled = new AbortController();
    const aborted = signal ? AbortSignal.any([signal, cancelled.signal]) : cancelled.signal;
    try {
      const result = await this.replay(
        job,
        run,
        partition,
        range.startOffset,
        range.endOffset,
        cancelled,
        aborted,
      );
      return result;
    } catch (error) {
      const status = await this.runs.status(runId).catch(() => undefined);
      if (status === 'cancelled' || status === 'failed') throw new RunNotRunnableError(runId, status);
      // the last attempt's error, or one no retry can mend, fails the run (and BullMQ fails the parent)
      if (
        error instanceof UnrecoverableError ||
        job.attemptsMade + 1 >= (job.opts.attempts ?? PARTITION_ATTEMPTS)
      ) {
        await this.runs.fail(runId, `partition ${partition}: ${(error as Error).message}`);
        this.logger.error('replay run failed', { run: runId, partition, error });
      }
      this.logger.warn('partition replay attempt failed', {
        run: runId,
        partition,
        attempt: job.attemptsMade + 1,
        error,
      });
      throw error;
    }
  }

  private async replay(
    job: Job<PartitionJobData>,
    run: ReplayRun,
    partition: number,
    startOffset: number,
    endOffset: number,
    cancel: AbortController,
    signal: AbortSignal,
  ): Promise<PartitionReplayResult> {
    const { config, runs } = this;
    const pipeline = definitionOf(run);
    const decoder = createUserEventDecoder(this.registry, config.maxRecordBytes);
    const publisher =
      run.mode === 'kappa' && run.version !== null
        ? new ResultPublisher(
            this.producer,
            resultsTopic(pipeline.name, run.version),
            `${pipeline.source}.late`,
            run.version,
          )
        : undefined;
    const replay = new PartitionReplay<UserEvent>({
      jobId: run.jobId,
      pipeline,
      mode: run.mode === 'batch' ? 'batch' : 'stream',
      partition,
      startOffset,
      endOffset,
      kafka: this.kafka,
      groupId: run.groupId,
      store: this.store,
      decode: async (record) => (await decoder.decode(record.value)).value,
      isPoison: isPoisonError,
      deadLetters: new DeadLetterQueue(this.producer, { admin: this.admin }),
      publish: publisher && ((flush) => publisher.publish(flush)),
      finish: async (client, result) => {
        // the run's row is locked against a concurrent cancel: a cancelled run gets no more done partitions
        const status = await client.query<{ status: string }>(
          'select status from replay_runs where id = $1 for update',
          [run.id],
        );
        const now = status.rows[0]?.status;
        if (now !== 'running' && now !== 'queued') throw new RunNotRunnableError(run.id, String(now));
        await runs.partitionDone(client, run.id, partition, {
          nextOffset: result.nextOffset,
          events: result.consumed,
          horizon: result.horizon,
        });
      },
      onProgress: async (progress) => {
        await runs.progress(run.id, partition, progress.nextOffset, progress.consumed);
        await job.updateProgress({
          partition,
          nextOffset: progress.nextOffset,
          endOffset,
          eventsPerSecond: progress.eventsPerSecond,
        } satisfies PartitionJobProgress);
        const status = await runs.status(run.id);
        if (status === 'cancelled' || status === 'failed')
          cancel.abort(new RunNotRunnableError(run.id, status));
      },
      flushIntervalMs: config.flushIntervalMs,
      consumerSettings: { maxBytesPerPartition: config.fetchMaxBytes, maxBytes: config.fetchMaxBytes },
      signal,
      logger: this.logger.child({ run: run.id, mode: run.mode, pipeline: pipeline.name }),
    });
    return replay.run();
  }

  private connect(): Promise<void> {
    this.connected ??= Promise.all([this.producer.connect(), this.admin.connect()]).then(() => undefined);
    return this.connected.catch((error: unknown) => {
      this.connected = undefined;
      throw error;
    });
  }
}

/** The definition the run was started with (validated again: it came from the database). */
function definitionOf(run: ReplayRun): Pipeline {
  try {
    // stored as validated (durations in ms): spelled back as pipelines.yaml would, then validated again
    return validatePipelines([toDefinition(run.definition as Pipeline)])[0]!;
  } catch (error) {
    throw new UnrecoverableError(
      `replay run ${run.id} has an invalid definition: ${(error as Error).message}`,
    );
  }
}
