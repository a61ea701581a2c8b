import type { Logger } from '@lk/common';
import type { ServiceConfig } from '../config/service-config';
import { DependencyWaitExpiredError } from '../errors/dependency-wait-expired-error';
import type { HealthIndicator } from '../health/health-indicator';

/** A dependency that failed its check, and why. */
export interface UnavailableDependency {
  dependency: string;
  error: string;
}

/**
 * Start-up while a dependency is away (a broker restarting, PostgreSQL not up yet): a start that failed is
 * tried again, with backoff (1 s doubling to 30 s), as long as one of the service's dependencies fails its
 * health check and `STARTUP_DEPENDENCY_WAIT_MS` allows. A failure while every dependency answers is the
 * service's own (a refused definition, a bug) and ends start-up at once; so does a wait that ran out.
 * One line when the wait begins and one when the start goes through, not one per attempt.
 */
export class DependencyWait {
  private attempts = 0;
  private readonly since: number;

  constructor(
    private readonly config: Pick<ServiceConfig, 'startupWaitMs' | 'healthTimeoutMs'>,
    private readonly indicators: readonly HealthIndicator[],
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {
    this.since = now();
  }

  /**
   * After a failed start: how long to wait before the next one; throws `error` itself when no dependency is
   * down, a `DependencyWaitExpiredError` when the wait is over.
   */
  async delayAfter(error: unknown): Promise<number> {
    const unavailable = await this.unavailable();
    if (unavailable.length === 0) throw error;
    const waitedMs = this.now() - this.since;
    const leftMs = this.config.startupWaitMs - waitedMs;
    if (leftMs <= 0) throw new DependencyWaitExpiredError(unavailable, waitedMs, error);
    this.attempts++;
    const delayMs = Math.min(1_000 * 2 ** (this.attempts - 1), 30_000, leftMs);
    if (this.attempts === 1)
      this.logger.warn('start-up waits for unavailable dependencies', {
        unavailable,
        error,
        retryInMs: delayMs,
        waitUpToMs: this.config.startupWaitMs,
      });
    return delayMs;
  }

  /** After the start that went through: says how long it waited, if it did. */
  started(): void {
    if (this.attempts > 0)
      this.logger.info('dependencies available, start-up went through', {
        waitedMs: this.now() - this.since,
        attempts: this.attempts + 1,
      });
  }

  private async unavailable(): Promise<UnavailableDependency[]> {
    const results = await Promise.all(
      this.indicators.map((indicator) =>
        indicator.check(this.config.healthTimeoutMs).then(
          () => undefined,
          (error: unknown) => ({
            dependency: indicator.name,
            error: error instanceof Error ? error.message || error.name : String(error),
          }),
        ),
      ),
    );
    return results.filter((result) => result !== undefined);
  }
}
