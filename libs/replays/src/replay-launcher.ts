import { FlowProducer } from 'bullmq';
import { sortableId, type Logger } from '@lk/common';
import { batchGroupId, deadLetterTopic, speedGroupId, type KafkaAdmin, type KafkaClient } from '@lk/kafka';
import { validatePipelines, type Pipeline } from '@lk/operators';
import {
  JobDefinitionConflictError,
  JobDefinitions,
  ReplayRuns,
  TERMINAL_STATUSES,
  type Database,
  type ReplayMode,
  type ReplayRun,
  type ServingVersion,
} from '@lk/store';
import { batchJobId, LATE_TOPIC_SUFFIX, resultsTopic, speedJobId } from '@lk/streaming';
import { CutoverRefusedError, ReplayNotFoundError, ReplayRequestError } from './errors';
import { redisConnection } from './redis-connection';
import { DEFAULT_QUEUE_PREFIX, replayFlow } from './replay-queue';

export interface ReplayRequest {
  mode: ReplayMode;
  /** the pipeline's name in the pipelines file */
  pipeline: string;
  /** `earliest` (default) or an ISO-8601 time: each partition starts at its first record at or after it */
  from?: string;
  /**
   * kappa only: a changed definition of the pipeline (same name) for the new version — a what-if ("what
   * would a 5-minute allowed lateness have given?"). Validated like pipelines.yaml; recorded with the version.
   */
  definition?: unknown;
}

export interface ReplayLauncherOptions {
  kafka: KafkaClient;
  database: Database;
  redisUrl: string;
  /** the pipelines file's definitions: a replay runs one of them (or a what-if of one) */
  pipelines: readonly Pipeline[];
  /** BullMQ's key prefix (default `bull`): workers and launchers of one stack must agree on it */
  queuePrefix?: string;
  logger: Logger;
}

/** The default lag (records) under which a caught-up Kappa version may take over serving. */
export const DEFAULT_CUTOVER_MAX_LAG = 1_000;

/**
 * Starts replays of retained Kafka history and manages them: a run is recorded in Postgres with the end
 * offsets snapshotted at the start (it reads nothing newer), then queued as a BullMQ flow that the batch
 * workers take. The replay CLI and the admin API both go through here.
 */
export class ReplayLauncher {
  private readonly runs: ReplayRuns;
  private readonly definitions: JobDefinitions;
  private readonly flows: FlowProducer;

  constructor(private readonly options: ReplayLauncherOptions) {
    this.runs = new ReplayRuns(options.database);
    this.definitions = new JobDefinitions(options.database);
    this.flows = new FlowProducer({
      connection: redisConnection(options.redisUrl, 'producer'),
      prefix: options.queuePrefix ?? DEFAULT_QUEUE_PREFIX,
    });
  }

  async start(request: ReplayRequest): Promise<ReplayRun> {
    // one admin connection for the snapshot and, for a Kappa version, its output topics
    return this.withAdmin((admin) => this.startWith(admin, request));
  }

  private async startWith(admin: KafkaAdmin, request: ReplayRequest): Promise<ReplayRun> {
    const { mode } = request;
    if (mode !== 'batch' && mode !== 'kappa')
      throw new ReplayRequestError('mode', `must be "batch" or "kappa", got ${JSON.stringify(mode)}`);
    const definition = this.definitionFor(request);
    const from = request.from ?? 'earliest';
    const fromTime = parseFrom(from);
    const range = await this.snapshot(admin, definition.source, fromTime);
    const id = sortableId();
    let run: ReplayRun | undefined;
    for (let attempt = 1; run === undefined; attempt++) {
      const version = mode === 'kappa' ? await this.runs.nextVersion(definition.name) : null;
      const jobId = version === null ? batchJobId(id) : speedJobId(definition.name, version);
      const groupId = version === null ? batchGroupId(id) : speedGroupId(definition.name, version);
      try {
        // a version's definition is immutable: the live speed instance of it is checked against this
        await this.definitions.record(jobId, definition.name, version, definition);
        await this.runs.create({
          id,
          mode,
          pipeline: definition.name,
          version,
          jobId,
          groupId,
          topic: definition.source,
          from,
          definition,
          partitions: range,
        });
        run = (await this.runs.get(id))!;
      } catch (error) {
        // another replay took this version a moment ago (its run, or its definition first): the next one up
        const taken =
          isUniqueViolation(error) || (version !== null && error instanceof JobDefinitionConflictError);
        if (!taken || attempt >= 5) throw error;
      }
    }
    try {
      await this.ensureRunOutputs(admin, definition, run.version, range.length);
      await this.flows.add(replayFlow(run));
    } catch (error) {
      await this.runs.fail(id, `could not be queued: ${(error as Error).message}`);
      throw error;
    }
    this.options.logger.info('replay started', {
      run: id,
      mode,
      pipeline: run.pipeline,
      version: run.version,
      job: run.jobId,
      group: run.groupId,
      from,
      events: run.partitions.reduce((sum, p) => sum + p.endOffset - p.startOffset, 0),
    });
    return run;
  }

  async get(id: string): Promise<ReplayRun> {
    const run = await this.runs.get(id);
    if (!run) throw new ReplayNotFoundError(id);
    return run;
  }

  list(options: { pipeline?: string; limit?: number } = {}): Promise<ReplayRun[]> {
    return this.runs.list(options);
  }

  /**
   * Cancels a queued or running run: its jobs see it at their next flush (within a second) and stop; the
   * partial results stay under its job id but are never served. A finished run is left as it is.
   */
  async cancel(id: string): Promise<ReplayRun> {
    await this.get(id);
    const status = await this.runs.cancel(id);
    this.options.logger.info('replay cancel requested', { run: id, status });
    return this.get(id);
  }

  /**
   * Queues a run's flow again, e.g. after its jobs were lost with Redis: jobs that still exist are not added
   * twice (their ids derive from the run), partitions already done finish at once, so re-running a completed
   * run changes nothing. A cancelled or failed run stays as it is.
   */
  async rerun(id: string): Promise<ReplayRun> {
    const run = await this.get(id);
    if (run.status !== 'cancelled' && run.status !== 'failed') await this.flows.add(replayFlow(run));
    return run;
  }

  /**
   * Makes a completed Kappa replay's version the serving one for its pipeline, atomically, when the version
   * is within `maxLag` records of the log end (its live speed instance keeps it there); refused with the
   * reason otherwise. The previous version's serving period is closed, not deleted.
   */
  async cutover(id: string, maxLag = DEFAULT_CUTOVER_MAX_LAG): Promise<ServingVersion> {
    const run = await this.get(id);
    if (run.mode !== 'kappa' || run.version === null)
      throw new CutoverRefusedError(id, 'only a Kappa replay creates a version that can serve');
    if (run.status !== 'completed')
      throw new CutoverRefusedError(id, `the replay is ${run.status}, not completed`);
    const lag = await this.lagOf(run);
    if (lag > maxLag)
      throw new CutoverRefusedError(
        id,
        `version ${run.version} of ${run.pipeline} is ${lag} records behind the log end (at most ${maxLag}); ` +
          `run its speed instance (SPEED_VERSION=${run.version}) until it has caught up`,
      );
    const serving = await this.runs.cutover(run.pipeline, run.version, run.id);
    this.options.logger.info('serving version changed', {
      pipeline: run.pipeline,
      version: run.version,
      run: id,
      lag,
    });
    return serving;
  }

  serving(pipeline: string): Promise<ServingVersion | undefined> {
    return this.runs.serving(pipeline);
  }

  servingHistory(pipeline: string): Promise<ServingVersion[]> {
    return this.runs.servingHistory(pipeline);
  }

  /**
   * Polls the run until it is completed, failed or cancelled, reporting each poll. Postgres going away for a
   * while (a restart) is waited out — the run goes on without us — up to `unreachableMs` (60 s) in a row.
   */
  async waitFor(
    id: string,
    options: {
      onProgress?: (run: ReplayRun) => void;
      pollMs?: number;
      signal?: AbortSignal;
      unreachableMs?: number;
    } = {},
  ): Promise<ReplayRun> {
    let failingSince: number | undefined;
    for (;;) {
      let run: ReplayRun | undefined;
      try {
        run = await this.get(id);
        failingSince = undefined;
      } catch (error) {
        if (error instanceof ReplayNotFoundError) throw error;
        failingSince ??= Date.now();
        if (Date.now() - failingSince > (options.unreachableMs ?? 60_000)) throw error;
      }
      if (run) {
        options.onProgress?.(run);
        if (TERMINAL_STATUSES.includes(run.status)) return run;
      }
      options.signal?.throwIfAborted();
      await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 500));
    }
  }

  async close(): Promise<void> {
    await this.flows.close();
  }

  /** The run's definition: the pipelines file's, or a validated what-if of it (kappa only). */
  private definitionFor(request: ReplayRequest): Pipeline {
    const known = this.options.pipelines.find((pipeline) => pipeline.name === request.pipeline);
    if (!known)
      throw new ReplayRequestError(
        'pipeline',
        `no pipeline "${request.pipeline}" (defined: ${this.options.pipelines.map((p) => p.name).join(', ')})`,
      );
    if (request.definition === undefined) return known;
    if (request.mode !== 'kappa')
      throw new ReplayRequestError(
        'definition',
        'a changed definition makes a new version: only a kappa replay takes one',
      );
    let changed: Pipeline;
    try {
      [changed] = validatePipelines([request.definition]) as [Pipeline];
    } catch (error) {
      throw new ReplayRequestError('definition', (error as Error).message);
    }
    if (changed.name !== known.name)
      throw new ReplayRequestError(
        'definition',
        `a what-if of "${known.name}" keeps its name, got "${changed.name}"`,
      );
    return changed;
  }

  /** Per partition: [start, end) with the end offsets snapshotted now. */
  private async snapshot(
    admin: KafkaAdmin,
    topic: string,
    fromTime: number | undefined,
  ): Promise<{ partition: number; startOffset: number; endOffset: number }[]> {
    if (!(await admin.topicExists(topic)))
      throw new ReplayRequestError('pipeline', `its source topic "${topic}" does not exist`);
    const ends = await admin.endOffsets(topic);
    const starts =
      fromTime === undefined ? await admin.startOffsets(topic) : await admin.offsetsForTime(topic, fromTime);
    return [...ends.entries()]
      .sort(([a], [b]) => a - b)
      .map(([partition, end]) => ({
        partition,
        startOffset: Math.min(Number(starts.get(partition) ?? 0n), Number(end)),
        endOffset: Number(end),
      }));
  }

  /**
   * The topics a run writes, created once here (not by each job): its source's dead-letter topic, which a
   * source no speed instance has read may lack, and a Kappa version's results and late topics, as its speed
   * instance creates them.
   */
  private async ensureRunOutputs(
    admin: KafkaAdmin,
    pipeline: Pipeline,
    version: number | null,
    partitions: number,
  ): Promise<void> {
    await admin.ensureTopics([
      { name: deadLetterTopic(pipeline.source), partitions: 1 },
      ...(version === null
        ? []
        : [
            {
              name: resultsTopic(pipeline.name, version),
              partitions: Math.max(partitions, 1),
              config: { 'cleanup.policy': 'compact' },
            },
            { name: `${pipeline.source}${LATE_TOPIC_SUFFIX}`, partitions: Math.max(partitions, 1) },
          ]),
    ]);
  }

  private async withAdmin<T>(work: (admin: KafkaAdmin) => Promise<T>): Promise<T> {
    const admin = this.options.kafka.admin();
    await admin.connect();
    try {
      return await work(admin);
    } finally {
      await admin.disconnect();
    }
  }

  /** Records the run's version is behind the log end now, over its partitions (from partition_state). */
  private async lagOf(run: ReplayRun): Promise<number> {
    const ends = await this.withAdmin((admin) => admin.endOffsets(run.topic));
    const rows = await this.options.database.query<{ partition: number; next_offset: string }>(
      'select partition, next_offset from partition_state where job_id = $1 and topic = $2',
      [run.jobId, run.topic],
    );
    const next = new Map(rows.map((row) => [row.partition, Number(row.next_offset)]));
    let lag = 0;
    for (const [partition, end] of ends) lag += Math.max(0, Number(end) - (next.get(partition) ?? 0));
    return lag;
  }
}

function parseFrom(from: string): number | undefined {
  if (from === 'earliest') return undefined;
  const time = /^\d{4}-\d{2}-\d{2}T/.test(from) ? Date.parse(from) : NaN;
  if (!Number.isFinite(time))
    throw new ReplayRequestError(
      'from',
      `must be "earliest" or an ISO-8601 time such as 2026-11-28T09:00:00Z, got ${JSON.stringify(from)}`,
    );
  return time;
}

function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: string }).code === '23505';
}
