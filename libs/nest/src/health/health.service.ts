import { Inject, Injectable } from '@nestjs/common';
import { Logger } from '@lk/common';
import { SERVICE_CONFIG } from '../config/service-config.module';
import type { ServiceConfig } from '../config/service-config';
import { HEALTH_INDICATORS, type HealthIndicator } from './health-indicator';
import type { HealthCheckResult, HealthReport } from './health-report';

/** Runs every dependency check in parallel, each bounded by the configured timeout. */
@Injectable()
export class HealthService {
  private readonly logger: Logger;
  /** last state per check: a failure is logged when it starts and when it ends, not on every probe */
  private readonly lastStatus = new Map<string, HealthCheckResult['status']>();

  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
    @Inject(HEALTH_INDICATORS) private readonly indicators: HealthIndicator[],
  ) {
    this.logger = new Logger(config.service, { module: 'health' }, config.logLevel);
  }

  async report(): Promise<HealthReport> {
    const checks: Record<string, HealthCheckResult> = {};
    await Promise.all(
      this.indicators.map(async (indicator) => {
        checks[indicator.name] = await this.run(indicator);
      }),
    );
    const failing = Object.keys(checks).filter((name) => checks[name]!.status === 'failing');
    return {
      status: failing.length === 0 ? 'ok' : 'failing',
      service: this.config.service,
      version: process.env.npm_package_version ?? '0.1.0',
      uptimeSeconds: Math.round(process.uptime()),
      failing,
      checks,
    };
  }

  private async run(indicator: HealthIndicator): Promise<HealthCheckResult> {
    const started = performance.now();
    let result: HealthCheckResult;
    try {
      await indicator.check(this.config.healthTimeoutMs);
      result = { status: 'ok', ms: Math.round(performance.now() - started) };
    } catch (error) {
      const message = error instanceof Error ? error.message || error.name : String(error);
      result = { status: 'failing', ms: Math.round(performance.now() - started), error: message };
      if (this.lastStatus.get(indicator.name) !== 'failing') {
        this.logger.warn('dependency check failing', { check: indicator.name, error });
      }
    }
    if (result.status === 'ok' && this.lastStatus.get(indicator.name) === 'failing') {
      this.logger.info('dependency check recovered', { check: indicator.name });
    }
    this.lastStatus.set(indicator.name, result.status);
    return result;
  }
}
