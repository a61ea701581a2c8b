import { consumerLag, totalLag } from '@lk/common';
import type { PoolClient } from '@lk/store';
import type {
  EndOffsetsReader,
  JobFreshness,
  LateDrops,
  ReplayFigures,
  RowClass,
  Scorecard,
  WhatIf,
} from './comparison';
import type { Side } from './sql/comparison-statements';
import type { ResolvedSource } from './sources/resolved-source';

/**
 * The architecture scorecard stored with a comparison: how fresh each streaming job is, what the last batch
 * run and Kappa replay cost, what each version dropped as late, and for two streaming versions the effect of
 * the changed definition. Read in the comparison's snapshot; lag asks Kafka through the caller's reader.
 */
export class ScorecardBuilder {
  constructor(
    private readonly client: PoolClient,
    private readonly endOffsets?: EndOffsetsReader,
  ) {}

  async build(input: {
    pipeline: string;
    topic: string;
    sources: Readonly<Record<Side, ResolvedSource>>;
    rows: Readonly<Record<RowClass, number>>;
  }): Promise<Scorecard> {
    const { pipeline, topic, sources, rows } = input;
    const generatedAt = new Date();
    const logEnd = await this.logEnd(topic);
    const freshness = (jobId: string | null): Promise<JobFreshness | null> =>
      jobId === null ? Promise.resolve(null) : this.freshness(jobId, logEnd, generatedAt);
    const [serving] = await this.rows<{ job_id: string }>(
      'select job_id from serving_speed_versions where pipeline = $1',
      [pipeline],
    );
    const [newest] = await this.rows<{ job_id: string }>(
      `select job_id from job_definitions where pipeline = $1 and job_id like 'speed:%'
       order by version desc nulls last limit 1`,
      [pipeline],
    );
    const lateDrops = await this.lateDrops(pipeline);
    return {
      generatedAt,
      speed: await freshness(serving?.job_id ?? null),
      kappa: await freshness(newest?.job_id ?? null),
      sides: {
        left: await freshness(sources.left.streamJobId),
        right: await freshness(sources.right.streamJobId),
      },
      lastBatchRun: await this.lastReplay(pipeline, 'batch'),
      lastKappaReplay: await this.lastReplay(pipeline, 'kappa'),
      lateDrops,
      rows,
      whatIf: whatIf(sources, rows, lateDrops),
    };
  }

  private async logEnd(topic: string): Promise<ReadonlyMap<number, number | bigint> | null> {
    if (!this.endOffsets) return null;
    // The scorecard is a report: a Kafka outage leaves its lag unknown rather than failing the comparison.
    return this.endOffsets(topic).catch(() => null);
  }

  private async freshness(
    jobId: string,
    logEnd: ReadonlyMap<number, number | bigint> | null,
    now: Date,
  ): Promise<JobFreshness> {
    const partitions = await this.rows<{
      partition: number;
      next_offset: string;
      watermark: string | null;
      updated_at: Date;
    }>('select partition, next_offset, watermark, updated_at from partition_state where job_id = $1', [
      jobId,
    ]);
    const nextOffsets = new Map(partitions.map((p) => [p.partition, Number(p.next_offset)]));
    const lagRecords = logEnd ? totalLag(consumerLag(logEnd, nextOffsets)) : null;
    const watermarks = partitions
      .map((p) => p.watermark)
      .filter((w): w is string => w !== null)
      .map(Number);
    const watermark =
      watermarks.length === partitions.length && watermarks.length > 0 ? Math.min(...watermarks) : null;
    const lastFlush = partitions.length > 0 ? Math.max(...partitions.map((p) => +p.updated_at)) : null;
    return {
      jobId,
      lagRecords,
      watermark,
      watermarkDelayMs: watermark === null ? null : +now - watermark,
      lastFlushAgoMs: lastFlush === null ? null : Math.max(0, +now - lastFlush),
    };
  }

  private async lastReplay(pipeline: string, mode: 'batch' | 'kappa'): Promise<ReplayFigures | null> {
    const [run] = await this.rows<{
      id: string;
      job_id: string;
      started_at: Date;
      finished_at: Date;
      events: string;
    }>(
      `select r.id, r.job_id, r.started_at, r.finished_at, coalesce(sum(p.events), 0) as events
       from replay_runs r join replay_partitions p on p.run_id = r.id
       where r.pipeline = $1 and r.mode = $2 and r.status = 'completed' and r.started_at is not null
       group by r.id order by r.finished_at desc limit 1`,
      [pipeline, mode],
    );
    if (!run) return null;
    const durationMs = Math.max(0, +run.finished_at - +run.started_at);
    const events = Number(run.events);
    return {
      runId: run.id,
      jobId: run.job_id,
      durationMs,
      events,
      eventsPerSecond: durationMs > 0 ? Math.round((events * 1000) / durationMs) : 0,
      finishedAt: run.finished_at,
    };
  }

  private async lateDrops(pipeline: string): Promise<LateDrops[]> {
    const drops = await this.rows<{ job_id: string; events: string; windows: string }>(
      `select job_id, count(distinct (partition, "offset")) as events, count(*) as windows
       from late_events where pipeline = $1 group by job_id order by job_id`,
      [pipeline],
    );
    return drops.map((d) => ({
      jobId: d.job_id,
      version: versionOf(d.job_id),
      events: Number(d.events),
      windows: Number(d.windows),
    }));
  }

  private async rows<T>(sql: string, params: unknown[]): Promise<T[]> {
    return (await this.client.query(sql, params)).rows as T[];
  }
}

function versionOf(jobId: string): number | null {
  const match = /:v(\d+)$/.exec(jobId);
  return match ? Number(match[1]) : null;
}

/** Two streaming versions of one pipeline: what the right's definition changes against the left's. */
function whatIf(
  sources: Readonly<Record<Side, ResolvedSource>>,
  rows: Readonly<Record<RowClass, number>>,
  lateDrops: readonly LateDrops[],
): WhatIf | null {
  const { left, right } = sources;
  const streaming = (s: ResolvedSource) => s.kind === 'speed' || s.kind === 'kappa';
  if (!streaming(left) || !streaming(right) || left.streamJobId === right.streamJobId) return null;
  const dropped = (jobId: string | null) => lateDrops.find((d) => d.jobId === jobId)?.events ?? 0;
  const finalAfter = (s: ResolvedSource) =>
    s.definition.watermark.maxOutOfOrderness + s.definition.allowedLateness;
  return {
    leftJob: left.streamJobId!,
    rightJob: right.streamJobId!,
    leftLateEvents: dropped(left.streamJobId),
    lateEventsSaved: dropped(left.streamJobId) - dropped(right.streamJobId),
    windowsChanged: rows.explained + rows.unexplained + rows.only_left + rows.only_right + rows.pending,
    extraFinalLatencyMs: finalAfter(right) - finalAfter(left),
  };
}
