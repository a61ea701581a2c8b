import { Controller, Get, Inject } from '@nestjs/common';

export const HEALTH_OPTIONS = Symbol('HEALTH_OPTIONS');

export interface HealthOptions {
  service: string;
  version?: string;
  /** named dependency checks; each resolves when the dependency answers and rejects with the reason */
  checks?: Record<string, () => Promise<void>>;
}

export interface HealthReport {
  status: 'ok' | 'degraded';
  service: string;
  version: string;
  uptimeSeconds: number;
  checks: Record<string, { status: 'ok' | 'failing'; error?: string }>;
}

@Controller('health')
export class HealthController {
  constructor(@Inject(HEALTH_OPTIONS) private readonly options: HealthOptions) {}

  @Get()
  async health(): Promise<HealthReport> {
    const checks: HealthReport['checks'] = {};
    await Promise.all(
      Object.entries(this.options.checks ?? {}).map(async ([name, check]) => {
        try {
          await check();
          checks[name] = { status: 'ok' };
        } catch (error) {
          checks[name] = { status: 'failing', error: error instanceof Error ? error.message : String(error) };
        }
      }),
    );
    return {
      status: Object.values(checks).every((check) => check.status === 'ok') ? 'ok' : 'degraded',
      service: this.options.service,
      version: this.options.version ?? '0.1.0',
      uptimeSeconds: Math.round(process.uptime()),
      checks,
    };
  }
}
