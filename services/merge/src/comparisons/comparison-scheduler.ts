import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { Logger, serializeError } from '@lk/common';
import { Comparator, ComparisonRequestError, type ComparisonRequest } from '@lk/comparisons';
import { endOffsetsReader, KafkaClient } from '@lk/kafka';
import { Database } from '@lk/store';
import { MERGE_CONFIG } from '../config/merge-config.module';
import type { MergeConfig } from '../config/merge-config';
import { MergeMetrics } from '../metrics/merge-metrics';

interface CompletedRun {
  id: string;
  mode: 'batch' | 'kappa';
  pipeline: string;
  version: number | null;
}

/**
 * Runs comparisons without being asked: after every completed replay of one of its pipelines (a batch run:
 * Lambda vs Kappa with the new batch layer; a Kappa replay: the serving version vs the new one) and on a
 * schedule (Lambda vs Kappa per pipeline). One comparison at a time; a replay's comparison is recorded under trigger `replay:<run id>`,
 * which is also how a restarted service knows it was done.
 */
@Injectable()
export class ComparisonScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('merge');
  private readonly database: Database;
  private readonly comparator: Comparator;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private nextScheduled = 0;

  constructor(
    @Inject(MERGE_CONFIG) private readonly config: MergeConfig,
    private readonly metrics: MergeMetrics,
  ) {
    this.database = new Database(config.stack.databaseUrl, {
      applicationName: 'lk-merge',
      logger: this.logger,
    });
    const kafka = new KafkaClient({
      brokers: config.stack.kafkaBrokers,
      clientId: 'lk-merge',
      logger: this.logger,
      retry: { retries: 1 },
    });
    this.comparator = new Comparator({
      database: this.database,
      logger: this.logger,
      endOffsets: endOffsetsReader(kafka),
    });
  }

  onApplicationBootstrap(): void {
    this.nextScheduled = Date.now() + this.config.compareIntervalMs;
    this.logger.info('comparisons scheduled', {
      pipelines: this.config.pipelines,
      compareIntervalMs: this.config.compareIntervalMs,
      pollIntervalMs: this.config.pollIntervalMs,
    });
    this.tick();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
    await this.database.close();
  }

  private tick(): void {
    if (this.stopped) return;
    this.running = this.runDue()
      .catch((error: unknown) =>
        // Postgres away: nothing is lost (a replay's comparison stays due), the next poll tries again
        this.logger.warn('comparisons postponed', { error: serializeError(error as Error) }),
      )
      .finally(() => {
        if (!this.stopped) this.timer = setTimeout(() => this.tick(), this.config.pollIntervalMs);
      });
  }

  private async runDue(): Promise<void> {
    for (const run of await this.completedRunsWithoutComparison()) {
      if (this.stopped) return;
      await this.run({
        pipeline: run.pipeline,
        ...(run.mode === 'batch'
          ? { left: 'lambda', right: 'kappa' }
          : { left: 'kappa', right: `speed:v${run.version}` }),
        trigger: `replay:${run.id}`,
      });
    }
    if (this.config.compareIntervalMs > 0 && Date.now() >= this.nextScheduled) {
      this.nextScheduled = Date.now() + this.config.compareIntervalMs;
      for (const pipeline of this.config.pipelines) {
        if (this.stopped) return;
        await this.run({ pipeline, left: 'lambda', right: 'kappa', trigger: 'schedule' });
      }
    }
  }

  private async completedRunsWithoutComparison(): Promise<CompletedRun[]> {
    // only runs of our own pipelines: a database shared by several stacks (or suites) holds runs of pipelines
    // this service knows nothing of, and those are their own merge service's to compare
    return this.database.query<CompletedRun & Record<string, unknown>>(
      `select r.id, r.mode, r.pipeline, r.version from replay_runs r
       where r.status = 'completed' and r.finished_at > now() - interval '7 days'
         and r.pipeline = any($1)
         and not exists (select 1 from comparisons c where c.trigger = 'replay:' || r.id)
       order by r.finished_at limit 20`,
      [this.config.pipelines],
    );
  }

  private async run(request: ComparisonRequest): Promise<void> {
    const startedAt = new Date();
    try {
      this.metrics.completed(await this.comparator.compare(request));
    } catch (error) {
      this.metrics.failed(request.pipeline, request.trigger ?? 'schedule');
      if (error instanceof ComparisonRequestError) {
        // e.g. no speed version has run yet: nothing to compare, not a failure of ours
        this.logger.info('comparison not possible', { ...request, reason: error.message });
        // a replay's comparison is settled by being recorded; the schedule simply tries again next time
        if (request.trigger?.startsWith('replay:'))
          await this.comparator.recordFailure(request, error, startedAt, { log: false });
        return;
      }
      throw error;
    }
  }
}
