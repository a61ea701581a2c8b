/** `batch`: a Lambda batch run (batch mode, nothing late); `kappa`: a Kappa replay creating version N+1. */
export type ReplayMode = 'batch' | 'kappa';

export type ReplayStatus = 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';

/** A run in one of these states never changes again. */
export const TERMINAL_STATUSES: readonly ReplayStatus[] = ['completed', 'failed', 'cancelled'];

export interface ReplayPartition {
  readonly partition: number;
  /** the first offset to read */
  readonly startOffset: number;
  /** the log end offset snapshotted when the run was created: the replay reads [start, end) */
  readonly endOffset: number;
  /** the first offset not yet reflected in the run's results */
  readonly nextOffset: number;
  readonly events: number;
  readonly done: boolean;
  /** once done: the watermark the partition reached at the snapshot end (null: no event, or batch mode) */
  readonly horizon: number | null;
  readonly updatedAt: Date;
}

export interface ReplayRun {
  readonly id: string;
  readonly mode: ReplayMode;
  readonly pipeline: string;
  /** kappa: the version the replay creates */
  readonly version: number | null;
  /** `batch:<id>` or `speed:<pipeline>:v<N>`: where the results are */
  readonly jobId: string;
  readonly groupId: string;
  readonly topic: string;
  /** `earliest` or the ISO time the start offsets were resolved from */
  readonly from: string;
  readonly definition: unknown;
  readonly status: ReplayStatus;
  readonly error: string | null;
  readonly createdAt: Date;
  readonly startedAt: Date | null;
  readonly finishedAt: Date | null;
  readonly partitions: readonly ReplayPartition[];
}

/** What a new run is recorded with: its identity and definition, and the range of each partition. */
export type NewReplayRun = Pick<
  ReplayRun,
  'id' | 'mode' | 'pipeline' | 'version' | 'jobId' | 'groupId' | 'topic' | 'from' | 'definition'
> & {
  readonly partitions: readonly Pick<ReplayPartition, 'partition' | 'startOffset' | 'endOffset'>[];
};

/** One entry of a pipeline's serving history: `until` null for the version serving now. */
export interface ServingVersion {
  readonly pipeline: string;
  readonly version: number;
  readonly runId: string | null;
  readonly since: Date;
  readonly until: Date | null;
}

/** How far a run has come: records to read ([start, end) over its partitions), read so far, partitions done. */
export interface ReplayProgress {
  readonly records: number;
  readonly consumed: number;
  /** consumed ÷ records; 1 for a run with nothing to read */
  readonly fraction: number;
  readonly partitionsDone: number;
}

/** The progress of a run, from its partitions' offsets (the replay CLI, the admin API, `lk`). */
export function replayProgress(run: {
  readonly partitions: readonly Pick<ReplayPartition, 'startOffset' | 'endOffset' | 'nextOffset' | 'done'>[];
}): ReplayProgress {
  const records = run.partitions.reduce((sum, p) => sum + p.endOffset - p.startOffset, 0);
  const consumed = run.partitions.reduce((sum, p) => sum + p.nextOffset - p.startOffset, 0);
  return {
    records,
    consumed,
    fraction: records === 0 ? 1 : consumed / records,
    partitionsDone: run.partitions.filter((p) => p.done).length,
  };
}
