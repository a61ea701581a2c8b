import { toDefinition, validatePipelines, type Pipeline } from '@lk/operators';
import type { PoolClient } from '@lk/store';
import { ComparisonRequestError } from '../errors';
import { sqlInteger, sqlLiteral, sqlTextArray } from '../sql/sql-literal';
import type { ResolvedSource } from './resolved-source';
import { formatSource, LATEST_BATCH_RUN, type SourceSpec } from './source-spec';

interface BatchRunRow {
  id: string;
  mode: string;
  pipeline: string;
  status: string;
  job_id: string;
  definition: Pipeline;
}

/** Resolves a source spec to what it reads, inside the comparison's transaction (one snapshot). */
export class SourceResolver {
  constructor(
    private readonly client: PoolClient,
    private readonly pipeline: string,
  ) {}

  async resolve(spec: SourceSpec, field: string): Promise<ResolvedSource> {
    switch (spec.kind) {
      case 'speed':
        return this.stream(formatSource(spec), `speed:${this.pipeline}:v${spec.version}`, field);
      case 'kappa':
        return this.stream('kappa', await this.servingJob(field), field);
      case 'batch':
        return this.batch(spec.runId, field);
      case 'lambda':
        return this.lambda(field);
    }
  }

  private async stream(spec: string, jobId: string, field: string): Promise<ResolvedSource> {
    const definition = await this.jobDefinition(jobId, field);
    const job = sqlLiteral(jobId);
    const pipeline = sqlLiteral(this.pipeline);
    return {
      spec,
      kind: spec === 'kappa' ? 'kappa' : 'speed',
      definition,
      jobs: [jobId],
      streamJobId: jobId,
      rowsSql: `select key, window_start, window_end, values, accumulators, partition, final as settled
                from window_results where job_id = ${job} and pipeline = ${pipeline}`,
      partitionsSql: `select partition, watermark - ${sqlInteger(definition.allowedLateness)} as settled_until,
                             ${job}::text as late_job_id, null::bigint as late_from,
                             next_offset as read_until, next_offset as stream_read
                      from partition_state where job_id = ${job}`,
      unsettledReason: `window still open on ${jobId}`,
    };
  }

  private async batch(runId: string, field: string): Promise<ResolvedSource> {
    const [run] =
      runId === LATEST_BATCH_RUN
        ? await this.rows<BatchRunRow>(
            `select id, mode, pipeline, status, job_id, definition from replay_runs
             where pipeline = $1 and mode = 'batch' and status = 'completed' and from_spec = 'earliest'
             order by finished_at desc limit 1`,
            [this.pipeline],
          )
        : await this.rows<BatchRunRow>(
            'select id, mode, pipeline, status, job_id, definition from replay_runs where id = $1',
            [runId],
          );
    if (!run)
      throw new ComparisonRequestError(
        field,
        runId === LATEST_BATCH_RUN
          ? `${this.pipeline} has no completed batch run`
          : `no replay run "${runId}"`,
      );
    if (run.mode !== 'batch')
      throw new ComparisonRequestError(
        field,
        `run ${run.id} is a ${run.mode} replay; compare it as speed:v<N>`,
      );
    if (run.pipeline !== this.pipeline)
      throw new ComparisonRequestError(
        field,
        `run ${run.id} is of pipeline ${run.pipeline}, not ${this.pipeline}`,
      );
    if (run.status !== 'completed')
      throw new ComparisonRequestError(
        field,
        `run ${run.id} is ${run.status}; only a completed run can be compared`,
      );
    const definition = readDefinition(run.definition);
    const lateness = sqlInteger(definition.allowedLateness);
    const id = sqlLiteral(run.id);
    return {
      spec: `batch:${run.id}`,
      kind: 'batch',
      definition,
      jobs: [run.job_id],
      streamJobId: null,
      rowsSql: `select w.key, w.window_start, w.window_end, w.values, w.accumulators, w.partition,
                       coalesce(w.window_end + ${lateness} <= rp.horizon, false) as settled
                from window_results w
                left join replay_partitions rp on rp.run_id = ${id} and rp.partition = w.partition
                where w.job_id = ${sqlLiteral(run.job_id)} and w.pipeline = ${sqlLiteral(this.pipeline)}`,
      partitionsSql: `select partition, horizon - ${lateness} as settled_until,
                             null::text as late_job_id, null::bigint as late_from,
                             end_offset as read_until, null::bigint as stream_read
                      from replay_partitions where run_id = ${id}`,
      unsettledReason: `outside the horizon of batch run ${run.id}`,
    };
  }

  /**
   * The Lambda view: a completed batch run's rows where it covers the window, the serving speed version's
   * elsewhere. Late events of that version apply only to the windows it serves (those beyond the coverage).
   */
  private async lambda(field: string): Promise<ResolvedSource> {
    const speedJob = await this.servingJob(field);
    const definition = await this.jobDefinition(speedJob, field);
    const runs = await this.rows<{ job_id: string }>(
      // the runs that serve some windows (a band of window ends no later run covers)
      `select distinct job_id from batch_layer where pipeline = $1 and covered_until > covers_after
       order by job_id`,
      [this.pipeline],
    );
    const job = sqlLiteral(speedJob);
    const pipeline = sqlLiteral(this.pipeline);
    return {
      spec: 'lambda',
      kind: 'lambda',
      definition,
      jobs: [...runs.map((run) => run.job_id), speedJob],
      streamJobId: speedJob,
      rowsSql: `select key, window_start, window_end, values, accumulators, partition,
                       (source = 'batch' or final) as settled
                from lambda_view where pipeline = ${pipeline}`,
      partitionsSql: `select p.partition,
                             greatest(b.covered_until,
                                      s.watermark - ${sqlInteger(definition.allowedLateness)}) as settled_until,
                             ${job}::text as late_job_id, b.covered_until as late_from,
                             greatest(r.end_offset, s.next_offset) as read_until, s.next_offset as stream_read
                      from (select partition from partition_state where job_id = ${job}
                            union select partition from batch_coverage where pipeline = ${pipeline}) p
                      left join (select partition, max(covered_until) as covered_until
                                 from batch_layer where pipeline = ${pipeline} group by partition) b
                             on b.partition = p.partition
                      left join (select rp.partition, max(rp.end_offset) as end_offset
                                 from replay_partitions rp join replay_runs rr on rr.id = rp.run_id
                                 where rr.job_id = any(${sqlTextArray(runs.map((run) => run.job_id))})
                                 group by rp.partition) r
                             on r.partition = p.partition
                      left join partition_state s on s.job_id = ${job} and s.partition = p.partition`,
      unsettledReason: `window still open on ${speedJob} (the speed layer, beyond the batch coverage)`,
    };
  }

  /** The job id of the speed version serving the Kappa view. */
  private async servingJob(field: string): Promise<string> {
    const [serving] = await this.rows<{ job_id: string }>(
      'select job_id from serving_speed_versions where pipeline = $1',
      [this.pipeline],
    );
    if (!serving) throw new ComparisonRequestError(field, `no speed version of ${this.pipeline} has run yet`);
    return serving.job_id;
  }

  private async jobDefinition(jobId: string, field: string): Promise<Pipeline> {
    const [recorded] = await this.rows<{ definition: Pipeline }>(
      'select definition from job_definitions where job_id = $1 and pipeline = $2',
      [jobId, this.pipeline],
    );
    if (!recorded) throw new ComparisonRequestError(field, `${jobId} has never run`);
    return readDefinition(recorded.definition);
  }

  private async rows<T>(sql: string, params: unknown[]): Promise<T[]> {
    return (await this.client.query(sql, params)).rows as T[];
  }
}

/** A stored definition (a validated pipeline as JSON) read back as the pipeline it was. */
function readDefinition(stored: Pipeline): Pipeline {
  return validatePipelines([toDefinition(stored)])[0]!;
}
