import { randomUUID } from 'node:crypto';
import { KeyedWindowOperator, validatePipelines, type Pipeline, type ResultChange } from '@lk/operators';
import type { Database } from '@lk/store';

export type Event = { user_id: string; ts: number; amount: number; event_type: string; event_id: string };
export type Row = ResultChange & { partition: number };
export type LateRow = {
  partition: number;
  offset: number;
  key: string;
  windowStart: number;
  windowEnd: number;
  event: Event;
};

/** The operator library's output over a log, as the speed job and a batch run would store it. */
export interface JobOutput {
  rows: Map<string, Row>;
  late: LateRow[];
  /** per partition: next offset and watermark reached */
  partitions: Map<number, { nextOffset: number; watermark: number | null }>;
}

export const windowId = (key: string, start: number, end: number): string => `${key}|${start}|${end}`;

/** Runs the pipeline over `log` (events per partition, in offset order) in stream or batch mode. */
export function runOperator(
  pipeline: Pipeline,
  log: Map<number, Event[]>,
  mode: 'stream' | 'batch',
): JobOutput {
  const operator = new KeyedWindowOperator<Event>(pipeline, { mode, emitAccumulators: mode === 'stream' });
  const rows = new Map<string, Row>();
  const late: LateRow[] = [];
  const partitions = new Map<number, { nextOffset: number; watermark: number | null }>();
  const drain = (partition: number): void => {
    const output = operator.flush(partition);
    for (const r of output.retractions) rows.delete(windowId(r.key, r.windowStart, r.windowEnd));
    for (const change of output.changes)
      rows.set(windowId(change.key, change.windowStart, change.windowEnd), { ...change, partition });
    for (const record of output.late)
      late.push({
        partition,
        offset: record.offset!,
        key: record.event.user_id,
        windowStart: record.windowStart,
        windowEnd: record.windowEnd,
        event: record.event,
      });
  };
  for (const [partition, events] of log) {
    events.forEach((event, offset) => operator.process(event, partition, offset));
    if (mode === 'batch') operator.advanceToEndOfInput(partition);
    drain(partition);
    const maxEventTime = operator.maxEventTime(partition);
    partitions.set(partition, {
      nextOffset: events.length,
      watermark: Number.isFinite(maxEventTime) ? maxEventTime - pipeline.watermark.maxOutOfOrderness : null,
    });
  }
  return { rows, late, partitions };
}

/**
 * Writes a speed version's and batch runs' results into the tables the services write (window_results,
 * late_events, partition_state, job_definitions, replay_runs, replay_partitions), under a pipeline name of
 * its own; `cleanup` removes them.
 */
export class ResultsFixture {
  readonly runIds: string[] = [];

  constructor(
    private readonly database: Database,
    readonly pipeline: Pipeline,
  ) {}

  static pipeline(definition: Record<string, unknown>): Pipeline {
    return validatePipelines([
      {
        name: `cmp_${randomUUID().slice(0, 8)}`,
        source: 'cmp-test-events',
        key: 'user_id',
        time: 'ts',
        ...definition,
      },
    ])[0]!;
  }

  async storeSpeed(version: number, output: JobOutput, pipeline: Pipeline = this.pipeline): Promise<string> {
    const jobId = `speed:${this.pipeline.name}:v${version}`;
    await this.database.query(
      'insert into job_definitions (job_id, pipeline, version, definition) values ($1, $2, $3, $4)',
      [jobId, this.pipeline.name, version, JSON.stringify(pipeline)],
    );
    await this.storeRows(jobId, output);
    await this.database.query(
      `insert into late_events (job_id, pipeline, topic, partition, "offset", key, window_start, window_end, watermark, event)
       select $1, $2, $3, l.partition, l.offset, l.key, l."windowStart", l."windowEnd", 0, l.event
       from jsonb_to_recordset($4) as l(partition int, "offset" bigint, key text, "windowStart" bigint, "windowEnd" bigint, event jsonb)`,
      [jobId, this.pipeline.name, this.pipeline.source, JSON.stringify(output.late)],
    );
    for (const [partition, state] of output.partitions)
      await this.database.query(
        `insert into partition_state (job_id, topic, partition, next_offset, watermark, pipeline)
         values ($1, $2, $3, $4, $5, $6)`,
        [jobId, this.pipeline.source, partition, state.nextOffset, state.watermark, this.pipeline.name],
      );
    return jobId;
  }

  /** A completed batch run from the earliest offset, with each partition's horizon as given. */
  async storeBatch(output: JobOutput, horizons: Map<number, number | null>): Promise<string> {
    const runId = `cmp${randomUUID().slice(0, 8)}`;
    this.runIds.push(runId);
    const jobId = `batch:${runId}`;
    await this.database.query(
      `insert into replay_runs (id, mode, pipeline, job_id, group_id, topic, from_spec, definition, status,
                                started_at, finished_at)
       values ($1, 'batch', $2, $3, $4, $5, 'earliest', $6, 'completed', now() - interval '2 seconds', now())`,
      [
        runId,
        this.pipeline.name,
        jobId,
        `lk-batch-${runId}`,
        this.pipeline.source,
        JSON.stringify(this.pipeline),
      ],
    );
    for (const [partition, state] of output.partitions)
      await this.database.query(
        `insert into replay_partitions (run_id, partition, start_offset, end_offset, next_offset, events, done, horizon)
         values ($1, $2, 0, $3, $3, $3, true, $4)`,
        [runId, partition, state.nextOffset, horizons.get(partition) ?? null],
      );
    await this.storeRows(jobId, output);
    return runId;
  }

  private async storeRows(jobId: string, output: JobOutput): Promise<void> {
    const rows = [...output.rows.values()].map((row) => ({
      partition: row.partition,
      key: row.key,
      windowStart: row.windowStart,
      windowEnd: row.windowEnd,
      values: row.values,
      revision: row.revision,
      final: row.final,
      accumulators: row.accumulators ?? null,
    }));
    await this.database.query(
      `insert into window_results (job_id, pipeline, partition, key, window_start, window_end, values, revision, final, accumulators)
       select $1, $2, r.partition, r.key, r."windowStart", r."windowEnd", r.values, r.revision, r.final, r.accumulators
       from jsonb_to_recordset($3) as r(partition int, key text, "windowStart" bigint, "windowEnd" bigint,
                                         values jsonb, revision int, final boolean, accumulators jsonb)`,
      [jobId, this.pipeline.name, JSON.stringify(rows)],
    );
  }

  async cleanup(): Promise<void> {
    const name = this.pipeline.name;
    await this.database.query('delete from comparisons where pipeline = $1', [name]);
    await this.database.query('delete from window_results where pipeline = $1', [name]);
    await this.database.query('delete from late_events where pipeline = $1', [name]);
    await this.database.query('delete from partition_state where pipeline = $1', [name]);
    await this.database.query('delete from job_definitions where pipeline = $1', [name]);
    await this.database.query('delete from replay_runs where pipeline = $1', [name]);
    await this.database.query('delete from serving_versions where pipeline = $1', [name]);
  }
}
