import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Worker } from 'bullmq';
import { Logger } from '@lk/common';
import { redisConnection, REPLAY_QUEUE } from '@lk/replays';
import { BATCH_CONFIG } from '../config/batch-config.module';
import type { BatchConfig } from '../config/batch-config';
import { ReplayProcessor } from './replay-processor';

/**
 * The BullMQ worker on the replay queue, BATCH_CONCURRENCY jobs at a time. Any number of these processes,
 * on any machines sharing Redis and Postgres, take the runs' jobs; a job whose worker died is picked up
 * again by BullMQ's stalled-job check and resumes from its last flush. SIGTERM lets running jobs finish
 * their current step: BullMQ's close() waits for them, their signal is aborted first so they stop soon.
 */
@Injectable()
export class ReplayWorkerService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('batch');
  private worker: Worker | undefined;

  constructor(
    @Inject(BATCH_CONFIG) private readonly config: BatchConfig,
    private readonly processor: ReplayProcessor,
  ) {}

  onApplicationBootstrap(): void {
    this.worker = new Worker(
      REPLAY_QUEUE,
      (job, token, signal) => this.processor.process(job, token, signal),
      {
        connection: redisConnection(this.config.stack.redisUrl),
        prefix: this.config.queuePrefix,
        concurrency: this.config.concurrency,
        // a partition job holds its lock while it reads; a dead worker's job is taken over after this
        lockDuration: this.config.lockDurationMs,
        stalledInterval: Math.floor(this.config.lockDurationMs / 2),
        maxStalledCount: 5,
      },
    );
    this.worker.on('failed', (job, error) => {
      if (!job || error.name === 'DelayedError') return;
      const forGood = job.attemptsMade >= (job.opts.attempts ?? 1) || error.name === 'RunNotRunnableError';
      if (forGood) void this.processor.failedForGood(job, error);
    });
    this.worker.on('error', (error) => this.logger.warn('replay worker error (Redis?)', { error }));
    this.logger.info('replay worker started', { queue: REPLAY_QUEUE, concurrency: this.config.concurrency });
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.worker) {
      this.worker.cancelAllJobs('worker shutting down');
      await this.worker.close();
    }
    await this.processor.close();
  }
}
