import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import { toDefinition } from '@lk/operators';
import { ADMIN_CONFIG } from '../config/admin-config.module';
import type { AdminConfig } from '../config/admin-config';
import { StackClients } from '../stack/stack-clients';
import type { ResultsQuery } from './pipeline.dto';

export interface ResultRow {
  key: string;
  windowStart: number;
  windowEnd: number;
  values: Record<string, number | null>;
  final: boolean;
  source: string;
}

/** The pipelines of pipelines.yaml with their versions, and their results from any of the four views. */
@Injectable()
export class PipelinesService {
  constructor(
    @Inject(ADMIN_CONFIG) private readonly config: AdminConfig,
    private readonly stack: StackClients,
  ) {}

  async list() {
    const versions = await this.stack.database.query<{ pipeline: string; version: number; job_id: string }>(
      `select pipeline, version, job_id from job_definitions where job_id like 'speed:%' order by pipeline, version`,
    );
    const serving = await this.stack.database.query<{ pipeline: string; version: number }>(
      'select pipeline, version from serving_speed_versions',
    );
    return this.config.pipelines.map((pipeline) => ({
      name: pipeline.name,
      definition: toDefinition(pipeline),
      servingVersion: serving.find((s) => s.pipeline === pipeline.name)?.version ?? null,
      versions: versions.filter((v) => v.pipeline === pipeline.name).map((v) => v.version),
    }));
  }

  async results(
    name: string,
    query: ResultsQuery,
  ): Promise<{ view: string; source: string; rows: ResultRow[] }> {
    if (!this.config.pipelines.some((p) => p.name === name))
      throw new NotFoundException(`no pipeline "${name}" in the pipelines file`);
    const view = query.view ?? 'kappa';
    let from: string;
    let source: string;
    const params: unknown[] = [name];
    switch (view) {
      case 'lambda':
        from = `(select key, window_start, window_end, values, final, coalesce('batch:' || run_id, job_id) as source
                 from lambda_view where pipeline = $1) v`;
        source = 'lambda_view';
        break;
      case 'kappa':
        from = `(select key, window_start, window_end, values, final, job_id as source from kappa_view
                 where pipeline = $1) v`;
        source = 'kappa_view';
        break;
      case 'speed': {
        const [serving] = await this.stack.database.query<{ version: number }>(
          'select version from serving_speed_versions where pipeline = $1',
          [name],
        );
        const version = query.version ?? serving?.version ?? 1;
        source = `speed:${name}:v${version}`;
        params.push(source);
        from = `(select key, window_start, window_end, values, final, job_id as source from window_results
                 where pipeline = $1 and job_id = $2) v`;
        break;
      }
      case 'batch': {
        const [run] = await this.stack.database.query<{ job_id: string }>(
          query.run
            ? `select job_id from replay_runs where pipeline = $1 and id = $2 and mode = 'batch'`
            : `select job_id from replay_runs where pipeline = $1 and mode = 'batch' and status = 'completed'
               and from_spec = 'earliest' order by finished_at desc limit 1`,
          query.run ? [name, query.run] : [name],
        );
        if (!run)
          throw new NotFoundException(
            query.run ? `no batch run "${query.run}" of ${name}` : `${name} has no completed batch run`,
          );
        source = run.job_id;
        params.push(source);
        from = `(select key, window_start, window_end, values, final, job_id as source from window_results
                 where pipeline = $1 and job_id = $2) v`;
        break;
      }
    }
    const conditions: string[] = [];
    const add = (condition: string, value: unknown): void => {
      params.push(value);
      conditions.push(condition.replace('?', `$${params.length}`));
    };
    if (query.key !== undefined) add('key = ?', query.key);
    if (query.from !== undefined) add('window_start >= ?', query.from);
    if (query.to !== undefined) add('window_end <= ?', query.to);
    params.push(query.limit ?? 1000);
    const rows = await this.stack.database.query<{
      key: string;
      window_start: string;
      window_end: string;
      values: Record<string, number | null>;
      final: boolean;
      source: string;
    }>(
      `select key, window_start, window_end, values, final, source from ${from}
       ${conditions.length ? `where ${conditions.join(' and ')}` : ''}
       order by key, window_start, window_end limit $${params.length}`,
      params,
    );
    return {
      view,
      source,
      rows: rows.map((r) => ({
        key: r.key,
        windowStart: Number(r.window_start),
        windowEnd: Number(r.window_end),
        values: r.values,
        final: r.final,
        source: r.source,
      })),
    };
  }
}
