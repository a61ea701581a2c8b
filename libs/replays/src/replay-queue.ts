import type { FlowJob } from 'bullmq';
import type { ReplayRun } from '@lk/store';

/** The BullMQ queue of replay runs: one `run` parent job per run, one `partition` child per partition. */
export const REPLAY_QUEUE = 'lk-replays';

/**
 * BullMQ's default key prefix. `REPLAY_QUEUE_PREFIX` changes it for a whole stack (workers, CLI, API) — e.g. two
 * stacks sharing one Redis keep their replays apart.
 */
export const DEFAULT_QUEUE_PREFIX = 'bull';

export const RUN_JOB = 'run';
export const PARTITION_JOB = 'partition';

export interface RunJobData {
  runId: string;
}

export interface PartitionJobData {
  runId: string;
  partition: number;
  /** times the job was put back because Kafka or Postgres did not answer (not counted as attempts) */
  outages?: number;
}

/** What a partition job reports as its BullMQ progress (and Bull Board shows). */
export interface PartitionJobProgress {
  partition: number;
  nextOffset: number;
  endOffset: number;
  eventsPerSecond: number;
}

/**
 * Attempts of a partition job: a crash or a failed flush is retried, resuming from the last flush; with the
 * exponential backoff from 2 s that rides out about four minutes of a broker or Postgres outage.
 */
export const PARTITION_ATTEMPTS = 8;

const DAY_SECONDS = 24 * 3600;

/**
 * The flow of a run. Job ids derive from the run id, so adding the flow of a run again adds nothing that
 * still exists (BullMQ keeps one job per id): re-running a run is safe. A child that fails for good fails
 * the parent, and with it the run.
 */
export function replayFlow(run: ReplayRun): FlowJob {
  return {
    name: RUN_JOB,
    queueName: REPLAY_QUEUE,
    data: { runId: run.id } satisfies RunJobData,
    opts: {
      jobId: `run-${run.id}`,
      // completing the run is one statement; a Postgres restart at that moment is retried
      attempts: PARTITION_ATTEMPTS,
      backoff: { type: 'exponential', delay: 2_000 },
      removeOnComplete: { age: 7 * DAY_SECONDS },
      removeOnFail: { age: 30 * DAY_SECONDS },
    },
    children: run.partitions.map((partition) => ({
      name: PARTITION_JOB,
      queueName: REPLAY_QUEUE,
      data: { runId: run.id, partition: partition.partition } satisfies PartitionJobData,
      opts: {
        jobId: `run-${run.id}-p${partition.partition}`,
        attempts: PARTITION_ATTEMPTS,
        backoff: { type: 'exponential', delay: 2_000 },
        failParentOnFailure: true,
        removeOnComplete: { age: 7 * DAY_SECONDS },
        removeOnFail: { age: 30 * DAY_SECONDS },
      },
    })),
  };
}
