import type { PoolClient } from 'pg';
import type { Database } from '../database';
import type {
  NewReplayRun,
  ReplayMode,
  ReplayPartition,
  ReplayRun,
  ReplayStatus,
  ServingVersion,
} from './replay-run';

interface RunRow extends Record<string, unknown> {
  id: string;
  mode: ReplayMode;
  pipeline: string;
  version: number | null;
  job_id: string;
  group_id: string;
  topic: string;
  from_spec: string;
  definition: unknown;
  status: ReplayStatus;
  error: string | null;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
}

interface PartitionRow extends Record<string, unknown> {
  run_id: string;
  partition: number;
  start_offset: string;
  end_offset: string;
  next_offset: string;
  events: string;
  done: boolean;
  horizon: string | null;
  updated_at: Date;
}

/**
 * Replay runs and their partitions in Postgres: the run is the unit users start, watch, cancel and cut over;
 * its partitions are what the workers' child jobs take. Status changes are single guarded statements, so
 * two workers (or a worker and a cancel) never move a run backwards: a terminal run stays as it is.
 */
export class ReplayRuns {
  constructor(private readonly database: Database) {}

  async create(run: NewReplayRun): Promise<void> {
    await this.database.transaction(async (client) => {
      await client.query(
        `insert into replay_runs (id, mode, pipeline, version, job_id, group_id, topic, from_spec, definition)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [
          run.id,
          run.mode,
          run.pipeline,
          run.version,
          run.jobId,
          run.groupId,
          run.topic,
          run.from,
          JSON.stringify(run.definition),
        ],
      );
      await client.query(
        `insert into replay_partitions (run_id, partition, start_offset, end_offset, next_offset)
         select $1, p.partition, p."startOffset", p."endOffset", p."startOffset"
         from json_to_recordset($2::json) as p(partition int, "startOffset" bigint, "endOffset" bigint)`,
        [run.id, JSON.stringify(run.partitions)],
      );
    });
  }

  async get(id: string): Promise<ReplayRun | undefined> {
    const [row] = await this.database.query<RunRow>('select * from replay_runs where id = $1', [id]);
    if (!row) return undefined;
    const partitions = await this.database.query<PartitionRow>(
      'select * from replay_partitions where run_id = $1 order by partition',
      [id],
    );
    return toRun(row, partitions);
  }

  /** Newest first; the partitions of each run included. */
  async list(options: { pipeline?: string; limit?: number } = {}): Promise<ReplayRun[]> {
    const rows = await this.database.query<RunRow>(
      `select * from replay_runs where ($1::text is null or pipeline = $1)
       order by created_at desc, id desc limit $2`,
      [options.pipeline ?? null, options.limit ?? 100],
    );
    if (rows.length === 0) return [];
    const partitions = await this.database.query<PartitionRow>(
      'select * from replay_partitions where run_id = any($1) order by partition',
      [rows.map((row) => row.id)],
    );
    return rows.map((row) =>
      toRun(
        row,
        partitions.filter((partition) => partition.run_id === row.id),
      ),
    );
  }

  async status(id: string): Promise<ReplayStatus | undefined> {
    const [row] = await this.database.query<{ status: ReplayStatus }>(
      'select status from replay_runs where id = $1',
      [id],
    );
    return row?.status;
  }

  /** queued → running (the first child to start); returns the status the run has now. */
  async markRunning(id: string): Promise<ReplayStatus | undefined> {
    await this.database.query(
      `update replay_runs set status = 'running', started_at = coalesce(started_at, now())
       where id = $1 and status = 'queued'`,
      [id],
    );
    return this.status(id);
  }

  /** Progress of a partition after a flush committed (display only: the job's partition_state is the truth). */
  async progress(id: string, partition: number, nextOffset: number, events: number): Promise<void> {
    await this.database.query(
      `update replay_partitions set next_offset = $3, events = $4, updated_at = now()
       where run_id = $1 and partition = $2 and not done`,
      [id, partition, nextOffset, events],
    );
  }

  /**
   * A partition reached its snapshot end, in the transaction of its last flush (the caller's client): its
   * results and its being done commit together.
   */
  async partitionDone(
    client: PoolClient,
    id: string,
    partition: number,
    progress: { nextOffset: number; events: number; horizon: number | null },
  ): Promise<void> {
    await client.query(
      `update replay_partitions set next_offset = $3, events = $4, horizon = $5, done = true, updated_at = now()
       where run_id = $1 and partition = $2`,
      [id, partition, progress.nextOffset, progress.events, progress.horizon],
    );
  }

  /**
   * running → completed when every partition is done, in one statement; a run that is already terminal
   * (completed, cancelled, failed) stays as it is. Returns the status the run has now.
   */
  async complete(id: string): Promise<ReplayStatus | undefined> {
    await this.database.query(
      `update replay_runs set status = 'completed', finished_at = now()
       where id = $1 and status in ('queued', 'running')
         and not exists (select 1 from replay_partitions where run_id = $1 and not done)`,
      [id],
    );
    return this.status(id);
  }

  async fail(id: string, error: string): Promise<ReplayStatus | undefined> {
    await this.database.query(
      `update replay_runs set status = 'failed', error = $2, finished_at = now()
       where id = $1 and status in ('queued', 'running')`,
      [id, error],
    );
    return this.status(id);
  }

  /** queued/running → cancelled; returns the status the run has now (a finished run is not cancelled). */
  async cancel(id: string): Promise<ReplayStatus | undefined> {
    await this.database.query(
      `update replay_runs set status = 'cancelled', finished_at = now()
       where id = $1 and status in ('queued', 'running')`,
      [id],
    );
    return this.status(id);
  }

  /**
   * The version a new Kappa replay of `pipeline` creates: one above every version that ran (job_definitions)
   * or was started as a replay.
   */
  async nextVersion(pipeline: string): Promise<number> {
    const [row] = await this.database.query<{ version: number | null }>(
      `select max(version) as version from (
         select version from job_definitions where pipeline = $1 and job_id like 'speed:%'
         union all
         select version from replay_runs where pipeline = $1 and mode = 'kappa'
       ) versions`,
      [pipeline],
    );
    return (row?.version ?? 0) + 1;
  }

  async serving(pipeline: string): Promise<ServingVersion | undefined> {
    const [row] = await this.database.query<ServingRow>(
      'select * from serving_versions where pipeline = $1 and until is null',
      [pipeline],
    );
    return row && toServing(row);
  }

  /** Oldest first. */
  async servingHistory(pipeline: string): Promise<ServingVersion[]> {
    const rows = await this.database.query<ServingRow>(
      'select * from serving_versions where pipeline = $1 order by since',
      [pipeline],
    );
    return rows.map(toServing);
  }

  /** Makes `version` the serving one: the current entry is closed and the new one opened atomically. */
  async cutover(pipeline: string, version: number, runId: string | null): Promise<ServingVersion> {
    return this.database.transaction(async (client) => {
      // serialises cutovers of one pipeline: the second waits, then closes what the first opened
      await client.query('select pg_advisory_xact_lock(hashtext($1))', [`lk-serving:${pipeline}`]);
      // the time after the lock (not the transaction's start): periods follow the order of the cutovers
      const [{ at }] = (await client.query<{ at: Date }>('select clock_timestamp() as at')).rows as [
        { at: Date },
      ];
      await client.query(`update serving_versions set until = $2 where pipeline = $1 and until is null`, [
        pipeline,
        at,
      ]);
      const inserted = await client.query<ServingRow>(
        `insert into serving_versions (pipeline, version, run_id, since) values ($1, $2, $3, $4) returning *`,
        [pipeline, version, runId, at],
      );
      return toServing(inserted.rows[0]!);
    });
  }
}

interface ServingRow extends Record<string, unknown> {
  pipeline: string;
  version: number;
  run_id: string | null;
  since: Date;
  until: Date | null;
}

function toServing(row: ServingRow): ServingVersion {
  return {
    pipeline: row.pipeline,
    version: row.version,
    runId: row.run_id,
    since: row.since,
    until: row.until,
  };
}

function toRun(row: RunRow, partitions: PartitionRow[]): ReplayRun {
  return {
    id: row.id,
    mode: row.mode,
    pipeline: row.pipeline,
    version: row.version,
    jobId: row.job_id,
    groupId: row.group_id,
    topic: row.topic,
    from: row.from_spec,
    definition: row.definition,
    status: row.status,
    error: row.error,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    partitions: partitions.map((partition): ReplayPartition => ({
      partition: partition.partition,
      startOffset: Number(partition.start_offset),
      endOffset: Number(partition.end_offset),
      nextOffset: Number(partition.next_offset),
      events: Number(partition.events),
      done: partition.done,
      horizon: partition.horizon === null ? null : Number(partition.horizon),
      updatedAt: partition.updated_at,
    })),
  };
}
