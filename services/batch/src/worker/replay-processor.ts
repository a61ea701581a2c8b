import { Inject, Injectable } from '@nestjs/common';
import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
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
import { SchemaRegistryClient } from '@lk/schemas';
import { Database, ReplayRuns, StreamJobStore, type ReplayRun } from '@lk/store';
import {
  isPoisonError,
  LATE_TOPIC_SUFFIX,
  PartitionFencedError,
  PipelineRecordDecoder,
  PipelineSchemaError,
  PartitionReplay,
  RecordsDeletedError,
  ResultPublisher,
  resultsTopic,
  type PartitionReplayResult,
} from '@lk/streaming';
import { BATCH_CONFIG } from '../config/batch-config.module';
import type { BatchConfig } from '../config/batch-config';

/** The run was cancelled (or failed elsewhere) while this job ran: stop without retrying. */
class RunNotRunnableError extends UnrecoverableError {
  constructor(runId: string, status: string, detail?: string) {
    super(`replay run ${runId} is ${status}${detail ? `: ${detail}` : ''}`);
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
  /** one registry client (its schema cache) and one DLQ (the topic limits it learns) for all of the jobs */
  private readonly registry: SchemaRegistryClient;
  /** a checked decoder per way of reading a source (format, subject, paths), shared by the runs that read so */
  private readonly decoders = new Map<string, Promise<PipelineRecordDecoder>>();
  private readonly deadLetters: DeadLetterQueue;
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
    this.deadLetters = new DeadLetterQueue(this.producer, { admin: this.admin });
  }

  async process(job: Job, token?: string, signal?: AbortSignal): Promise<unknown> {
    if (job.name === RUN_JOB) return this.completeRun(job.data as RunJobData);
    if (job.name === PARTITION_JOB) return this.replayPartition(job as Job<PartitionJobData>, token, signal);
    throw new UnrecoverableError(`unknown job "${job.name}" in the replay queue`);
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.producer.disconnect(), this.admin.disconnect()]);
    await this.database.close();
  }

  /** Fails the run of a job BullMQ failed for good without the processor (e.g. stalled too often). */
  async failedForGood(job: Job, error: Error): Promise<void> {
    const { runId } = job.data as { runId?: string };
    if (runId === undefined || error instanceof RunNotRunnableError || error.name === 'RunNotRunnableError')
      return;
    const status = await this.runs
      .fail(runId, `${job.name} job ${job.id}: ${error.message}`)
      .catch(() => undefined);
    if (status === 'failed') this.logger.error('replay run failed', { run: runId, job: job.id, error });
  }

  private async completeRun({ runId }: RunJobData): Promise<{ status: string }> {
    const status = await this.runs.complete(runId);
    if (status === 'completed') this.logger.info('replay completed', { run: runId });
    return { status: status ?? 'missing' };
  }

  private async replayPartition(
    job: Job<PartitionJobData>,
    token: string | undefined,
    signal?: AbortSignal,
  ): Promise<unknown> {
    const { runId, partition } = job.data;
    try {
      const run = await this.runs.get(runId);
      // a job outliving its run (the run's rows were deleted): nothing to do, nothing to report
      if (!run) throw new RunNotRunnableError(runId, 'gone');
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
      const result = await this.replay(
        job,
        run,
        partition,
        range.startOffset,
        range.endOffset,
        cancelled,
        aborted,
      );
      if (job.data.outages)
        this.logger.info('partition job going again after an outage', { run: runId, partition });
      return result;
    } catch (caught) {
      // deleted records: no retry can make the run exact
      const error = caught instanceof RecordsDeletedError ? new UnrecoverableError(caught.message) : caught;
      if (error instanceof UnrecoverableError && !(error instanceof RunNotRunnableError)) {
        await this.runs.fail(runId, `partition ${partition}: ${error.message}`).catch(() => undefined);
        this.logger.error('replay run failed', { run: runId, partition, error });
        throw error;
      }
      if (error instanceof RunNotRunnableError) throw error;
      // another attempt took the partition over (this one had stalled): it carries on, this one just stops
      if (error instanceof PartitionFencedError)
        throw new RunNotRunnableError(runId, 'taken over', error.message);
      const status = await this.runs.status(runId).catch(() => undefined);
      if (status === 'cancelled' || status === 'failed') throw new RunNotRunnableError(runId, status);
      // the worker is stopping (SIGTERM): the job goes back to the queue for another worker, no attempt spent
      if (signal?.aborted && token !== undefined) {
        await job.moveToDelayed(Date.now() + 1_000, token);
        throw new DelayedError();
      }
      // Kafka or Postgres away (a restart, an outage): wait it out without spending an attempt — attempts are
      // for failures of the job itself; the partition resumes from its last flush whenever it runs again
      const down = await this.unavailableDependency();
      if (down !== undefined && token !== undefined) {
        const outages = (job.data.outages ?? 0) + 1;
        const delayMs = Math.min(1_000 * 2 ** (outages - 1), 30_000);
        if (outages === 1)
          this.logger.warn('partition job waits for an unavailable dependency', {
            run: runId,
            partition,
            down,
            error,
          });
        await job.updateData({ ...job.data, outages });
        await job.moveToDelayed(Date.now() + delayMs, token);
        throw new DelayedError();
      }
      // the last attempt's error fails the run (and BullMQ fails the parent)
      if (job.attemptsMade + 1 >= (job.opts.attempts ?? PARTITION_ATTEMPTS)) {
        await this.runs
          .fail(runId, `partition ${partition}: ${(error as Error).message}`)
          .catch(() => undefined);
        this.logger.error('replay run failed', { run: runId, partition, error });
      } else
        this.logger.warn('partition replay attempt failed', {
          run: runId,
          partition,
          attempt: job.attemptsMade + 1,
          error,
        });
      throw error;
    }
  }

  /**
   * The decoder of a run's pipeline, its paths checked against the source's schema once: a pipeline naming a
   * field its records do not have fails the run (UnrecoverableError, the field named) instead of sending
   * every record to the DLQ.
   */
  private decoderFor(pipeline: Pipeline): Promise<PipelineRecordDecoder> {
    const { source, format, subject, key, time, aggregations } = pipeline;
    const reading = JSON.stringify({ source, format, subject, key, time, aggregations });
    let decoder = this.decoders.get(reading);
    if (decoder === undefined) {
      // ways of reading come from run definitions: bounded, so that a long-lived worker does not collect them
      if (this.decoders.size >= 256) this.decoders.clear();
      const created = new PipelineRecordDecoder(pipeline, this.registry, {
        maxRecordBytes: this.config.maxRecordBytes,
      });
      decoder = created.prepare().then(() => created);
      this.decoders.set(reading, decoder);
      decoder.catch(() => this.decoders.delete(reading));
    }
    return decoder.catch((error: unknown) => {
      throw error instanceof PipelineSchemaError ? new UnrecoverableError(error.message) : error;
    });
  }

  /** Which dependency does not answer now (within 5 s each), if any. */
  private async unavailableDependency(): Promise<'postgres' | 'kafka' | undefined> {
    const within = <T>(work: Promise<T>): Promise<T> =>
      Promise.race([
        work,
        new Promise<T>((_, reject) =>
          setTimeout(() => reject(new Error('no answer within 5 s')), 5_000).unref(),
        ),
      ]);
    try {
      await within(this.store.ping());
    } catch {
      return 'postgres';
    }
    const admin = this.kafka.admin();
    try {
      // the cluster, not a topic: a deleted source topic is the job's failure, not an outage
      await within(admin.connect().then(() => admin.ping()));
    } catch {
      return 'kafka';
    } finally {
      void admin.disconnect().catch(() => undefined);
    }
    return undefined;
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
    const decoder = await this.decoderFor(pipeline);
    const publisher =
      run.mode === 'kappa' && run.version !== null
        ? new ResultPublisher(
            this.producer,
            resultsTopic(pipeline.name, run.version),
            `${pipeline.source}${LATE_TOPIC_SUFFIX}`,
            run.version,
          )
        : undefined;
    const replay = new PartitionReplay<object>({
      jobId: run.jobId,
      pipeline,
      mode: run.mode === 'batch' ? 'batch' : 'stream',
      partition,
      startOffset,
      endOffset,
      kafka: this.kafka,
      groupId: run.groupId,
      store: this.store,
      decode: decoder.decode,
      isPoison: isPoisonError,
      deadLetters: this.deadLetters,
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
      logStartOffset: async () => Number((await this.admin.startOffsets(run.topic)).get(partition) ?? 0n),
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
