import type { PoolClient } from 'pg';
import type { Database } from '../database';
import { KeyOnTwoPartitionsError } from '../errors';
import type { ClaimedPartition, FlushOutcome, StreamFlush, WindowRow } from './stream-flush';

/** Every table holding rows of a job, by job_id. */
const JOB_TABLES = [
  'window_results',
  'late_events',
  'partition_state',
  'session_frontiers',
  'job_definitions',
] as const;

/**
 * The Postgres side of a streaming job (the speed layer or a Kappa version): one transaction per flush
 * holding the changed windows, the late events, the session frontiers and each partition's next offset and
 * watermark, and partition claims that fence a previous owner. Every statement carries its rows as one JSON
 * parameter, so a flush costs a fixed number of round trips however many windows changed.
 */
export class StreamJobStore {
  constructor(private readonly database: Database) {}

  /**
   * Takes ownership of a partition (bumping its epoch, so the previous owner's next flush of it is fenced)
   * and reads what the job resumes from: the next offset, the max event time and the open windows with
   * their accumulators — O(the partition's open windows), whatever the number of keys ever seen. With
   * `stateRetention` R (session pipelines) only the live frontiers are read, `frontier + R > watermark`:
   * flushes delete the others already, this leaves out rows written before they did.
   */
  async claimPartition(
    jobId: string,
    pipeline: string,
    topic: string,
    partition: number,
    stateRetention?: number,
  ): Promise<ClaimedPartition> {
    return this.database.transaction(async (client) => {
      const claimed = await client.query<{
        epoch: string;
        next_offset: string;
        max_event_time: string | null;
        watermark: string | null;
      }>(
        `insert into partition_state (job_id, topic, partition, pipeline, next_offset, epoch)
         values ($1, $2, $3, $4, 0, 1)
         on conflict (job_id, topic, partition)
         do update set epoch = partition_state.epoch + 1, updated_at = now()
         returning epoch, next_offset, max_event_time, watermark`,
        [jobId, topic, partition, pipeline],
      );
      const state = claimed.rows[0]!;
      // frontiers at or below it are beyond the horizon (null: no watermark yet, or no stateRetention)
      const horizon =
        stateRetention === undefined || state.watermark === null
          ? null
          : Number(state.watermark) - stateRetention;
      const windows = await client.query<{
        key: string;
        window_start: string;
        window_end: string;
        values: Record<string, number | null>;
        revision: number;
        accumulators: unknown[];
      }>(
        `select key, window_start, window_end, values, revision, accumulators from window_results
         where job_id = $1 and pipeline = $2 and partition = $3 and not final
         order by key, window_start desc`,
        [jobId, pipeline, partition],
      );
      const frontiers = await client.query<{ key: string; frontier: string }>(
        `select key, frontier from session_frontiers
         where job_id = $1 and partition = $2 and ($3::bigint is null or frontier > $3::bigint)`,
        [jobId, partition, horizon],
      );
      return {
        partition,
        epoch: Number(state.epoch),
        nextOffset: Number(state.next_offset),
        maxEventTime: state.max_event_time === null ? null : Number(state.max_event_time),
        openWindows: windows.rows.map((row): WindowRow => ({
          partition,
          key: row.key,
          windowStart: Number(row.window_start),
          windowEnd: Number(row.window_end),
          values: row.values,
          revision: row.revision,
          final: false,
          accumulators: row.accumulators,
        })),
        frontiers: frontiers.rows.map((row) => [row.key, Number(row.frontier)]),
      };
    });
  }

  /**
   * Writes one flush atomically. Partitions whose epoch changed since this writer claimed them (another
   * consumer owns them now) are left out entirely — their windows, late events and offsets — and reported as
   * fenced; the caller drops its state for them. `alongside` runs after the epochs are checked (the
   * partitions' rows stay locked), with what will be written, while the rows are written; the transaction
   * commits only once both succeeded: a caller can send the rows elsewhere too, so whatever commits here was
   * sent, and a fenced writer sends nothing. Running both at once makes a flush cost the slower of the two.
   * `within` runs on the transaction's connection after the rows (not for a fully fenced flush): the
   * caller's own statements commit with the flush or not at all, and a throw rolls it all back.
   */
  async flush(
    flush: StreamFlush,
    alongside?: (owned: StreamFlush) => Promise<void>,
    within?: (client: PoolClient, owned: StreamFlush) => Promise<void>,
  ): Promise<FlushOutcome> {
    return this.database.transaction(async (client) => {
      const partitions = flush.partitions.map((progress) => progress.partition);
      const current = await client.query<{ partition: number; epoch: string }>(
        `select partition, epoch from partition_state
         where job_id = $1 and topic = $2 and partition = any($3::int[]) for update`,
        [flush.jobId, flush.topic, partitions],
      );
      const epochs = new Map(current.rows.map((row) => [row.partition, Number(row.epoch)]));
      const ownedPartitions = new Set(
        flush.partitions.filter((p) => epochs.get(p.partition) === p.epoch).map((p) => p.partition),
      );
      const fenced = partitions.filter((partition) => !ownedPartitions.has(partition));
      const mine = <T extends { partition: number }>(rows: readonly T[]): T[] =>
        fenced.length === 0 ? (rows as T[]) : rows.filter((row) => ownedPartitions.has(row.partition));
      const owned: StreamFlush = {
        ...flush,
        changes: mine(flush.changes),
        retractions: mine(flush.retractions),
        late: mine(flush.late),
        frontiers: mine(flush.frontiers),
        partitions: mine(flush.partitions),
      };
      const write = async (): Promise<void> => {
        await this.deleteRetracted(client, owned, owned.retractions);
        await this.upsertWindows(client, owned, owned.changes);
        await this.insertLate(client, owned, owned.late);
        await this.upsertFrontiers(client, owned, owned.frontiers);
        await this.pruneFrontiers(client, owned, owned.partitions);
        await this.updateProgress(client, owned, owned.partitions);
        // the caller's own rows (a replay's progress), committed with these or not at all
        if (owned.partitions.length > 0) await within?.(client, owned);
      };
      // allSettled: a failed send must not leave statements of this transaction running unobserved; the
      // first failure fails the transaction, which then rolls back. The writes start first: their
      // statements are on the wire before the send encodes its records.
      const writing = write();
      const sending = owned.partitions.length > 0 ? alongside?.(owned) : undefined;
      const [written, sent] = await Promise.allSettled([writing, sending]);
      if (sent.status === 'rejected') throw sent.reason;
      if (written.status === 'rejected') throw written.reason;
      return { written: partitions.filter((partition) => ownedPartitions.has(partition)), fenced };
    });
  }

  /** Resolves when Postgres answers (a paused job probes with it before resuming). */
  async ping(): Promise<void> {
    await this.database.query('select 1');
  }

  /**
   * Records each job has consumed: the sum of its partitions' next offsets (0 for a job that has not flushed
   * yet). Compared with the topic's end offsets it says whether a job has caught up.
   */
  async consumed(jobIds: readonly string[]): Promise<Map<string, number>> {
    const rows = await this.database.query<{ job_id: string; consumed: string }>(
      'select job_id, sum(next_offset) as consumed from partition_state where job_id = any($1) group by job_id',
      [jobIds],
    );
    const byJob = new Map(rows.map((row) => [row.job_id, Number(row.consumed)]));
    return new Map(jobIds.map((jobId) => [jobId, byJob.get(jobId) ?? 0]));
  }

  /**
   * Deletes everything stored for the jobs whose id starts with `jobIdPrefix` (tests, benchmarks, the demo's
   * reset). The jobs are found in the small tables every job writes first (its definition, its partitions'
   * progress: a flush writes that in the transaction of its results), then deleted by id from each table: a
   * prefix match cannot use the job_id index under the database's collation, and scanned window_results whole.
   */
  async deleteJobs(jobIdPrefix: string): Promise<void> {
    await this.database.transaction(async (client) => {
      const { rows } = await client.query<{ job_id: string }>(
        `select job_id from job_definitions where starts_with(job_id, $1)
         union select job_id from partition_state where starts_with(job_id, $1)`,
        [jobIdPrefix],
      );
      const jobIds = rows.map((row) => row.job_id);
      if (jobIds.length === 0) return;
      for (const table of JOB_TABLES)
        await client.query(`delete from ${table} where job_id = any($1)`, [jobIds]);
    });
  }

  private async deleteRetracted(
    client: PoolClient,
    flush: StreamFlush,
    rows: StreamFlush['retractions'],
  ): Promise<void> {
    if (rows.length === 0) return;
    await client.query(
      `delete from window_results w
       using json_to_recordset($3::json) as r(key text, "windowStart" bigint, "windowEnd" bigint)
       where w.job_id = $1 and w.pipeline = $2 and w.key = r.key
         and w.window_start = r."windowStart" and w.window_end = r."windowEnd"`,
      [flush.jobId, flush.pipeline, JSON.stringify(rows)],
    );
  }

  private async upsertWindows(
    client: PoolClient,
    flush: StreamFlush,
    rows: StreamFlush['changes'],
  ): Promise<void> {
    if (rows.length === 0) return;
    // one window of a key from two partitions in this flush (one statement cannot update a row twice)
    const partitionOf = new Map<string, number>();
    for (const row of rows) {
      const window = `${row.key}\u0000${row.windowStart}\u0000${row.windowEnd}`;
      const seen = partitionOf.get(window);
      if (seen !== undefined && seen !== row.partition)
        throw new KeyOnTwoPartitionsError(flush.jobId, row.key, [seen, row.partition]);
      partitionOf.set(window, row.partition);
    }
    // ... or a window another partition wrote before: not overwritten, and the flush is refused
    const written = await client.query(
      `insert into window_results
         (job_id, pipeline, partition, key, window_start, window_end, values, revision, final, accumulators)
       select $1, $2, r.partition, r.key, r."windowStart", r."windowEnd", r.values, r.revision, r.final, r.accumulators
       from json_to_recordset($3::json) as r(partition int, key text, "windowStart" bigint, "windowEnd" bigint,
                                             values jsonb, revision int, final boolean, accumulators jsonb)
       on conflict (job_id, pipeline, key, window_start, window_end) do update set
         partition = excluded.partition, values = excluded.values, revision = excluded.revision,
         final = excluded.final, accumulators = excluded.accumulators, updated_at = now()
       where window_results.partition is null or window_results.partition = excluded.partition`,
      [flush.jobId, flush.pipeline, JSON.stringify(rows)],
    );
    if ((written.rowCount ?? rows.length) < rows.length) {
      const conflict = await client.query<{ key: string; partition: number; other: number }>(
        `select w.key, w.partition as other, r.partition
         from window_results w
         join json_to_recordset($3::json) as r(partition int, key text, "windowStart" bigint, "windowEnd" bigint)
           on w.key = r.key and w.window_start = r."windowStart" and w.window_end = r."windowEnd"
         where w.job_id = $1 and w.pipeline = $2 and w.partition <> r.partition
         limit 1`,
        [flush.jobId, flush.pipeline, JSON.stringify(rows)],
      );
      const found = conflict.rows[0];
      throw new KeyOnTwoPartitionsError(
        flush.jobId,
        found?.key ?? '(unknown)',
        found ? [found.other, found.partition] : [],
      );
    }
  }

  private async insertLate(client: PoolClient, flush: StreamFlush, rows: StreamFlush['late']): Promise<void> {
    if (rows.length === 0) return;
    await client.query(
      `insert into late_events
         (job_id, pipeline, topic, partition, "offset", key, window_start, window_end, watermark, event)
       select $1, $2, $3, r.partition, r.offset, r.key, r."windowStart", r."windowEnd", r.watermark, r.event
       from json_to_recordset($4::json) as r(partition int, "offset" bigint, key text, "windowStart" bigint,
                                             "windowEnd" bigint, watermark bigint, event jsonb)
       on conflict do nothing`,
      [flush.jobId, flush.pipeline, flush.topic, JSON.stringify(rows)],
    );
  }

  private async upsertFrontiers(
    client: PoolClient,
    flush: StreamFlush,
    rows: StreamFlush['frontiers'],
  ): Promise<void> {
    if (rows.length === 0) return;
    await client.query(
      `insert into session_frontiers (job_id, partition, key, frontier)
       select $1, r.partition, r.key, r.frontier
       from json_to_recordset($2::json) as r(partition int, key text, frontier bigint)
       on conflict (job_id, partition, key)
       do update set frontier = greatest(session_frontiers.frontier, excluded.frontier)`,
      [flush.jobId, JSON.stringify(rows)],
    );
  }

  /**
   * Sessions with stateRetention R: deletes the job's frontier rows of the flushed partitions with
   * `frontier + R <= watermark`, the watermark this flush records — the rows of the frontiers the operator
   * has released (it keeps F(k) while `F(k) + R > wm(p)`), so the table holds the keys active within R of
   * the watermark instead of every key ever seen. After the upsert, so a frontier finalized beyond the
   * horizon already (the watermark jumped) is not kept either. One statement for all partitions; the index
   * session_frontiers_horizon (job_id, partition, frontier) makes it touch only the rows it deletes. The
   * partitions come as arrays: unnest tells the planner how many there are (json_to_recordset is guessed
   * at 100 rows, and the planner then scans the whole table in a hash join).
   */
  private async pruneFrontiers(
    client: PoolClient,
    flush: StreamFlush,
    rows: StreamFlush['partitions'],
  ): Promise<void> {
    if (flush.stateRetention === undefined) return;
    const watermarked = rows.filter((row) => row.watermark !== null);
    if (watermarked.length === 0) return;
    await client.query(
      `delete from session_frontiers f
       using unnest($2::int[], $3::bigint[]) as r(partition, watermark)
       where f.job_id = $1 and f.partition = r.partition and f.frontier <= r.watermark - $4::bigint`,
      [
        flush.jobId,
        watermarked.map((row) => row.partition),
        watermarked.map((row) => row.watermark),
        flush.stateRetention,
      ],
    );
  }

  private async updateProgress(
    client: PoolClient,
    flush: StreamFlush,
    rows: StreamFlush['partitions'],
  ): Promise<void> {
    if (rows.length === 0) return;
    await client.query(
      `update partition_state p set
         next_offset = r."nextOffset", max_event_time = r."maxEventTime", watermark = r.watermark,
         pipeline = $3, updated_at = now()
       from json_to_recordset($4::json) as r(partition int, "nextOffset" bigint, "maxEventTime" bigint,
                                             watermark bigint)
       where p.job_id = $1 and p.topic = $2 and p.partition = r.partition`,
      [flush.jobId, flush.topic, flush.pipeline, JSON.stringify(rows)],
    );
  }
}
