import { Inject, Injectable } from '@nestjs/common';
import { Client } from 'pg';
import { SERVICE_CONFIG } from '../../config/service-config.module';
import type { ServiceConfig } from '../../config/service-config';
import { boundedCheck } from '../bounded-check';
import type { HealthIndicator } from '../health-indicator';

/** `select 1` on a connection of its own, so a check never waits behind (or starves) the service's pool. */
@Injectable()
export class PostgresHealthIndicator implements HealthIndicator {
  readonly name = 'postgres';

  constructor(@Inject(SERVICE_CONFIG) private readonly config: ServiceConfig) {}

  async check(timeoutMs: number): Promise<void> {
    const client = new Client({
      connectionString: this.config.stack.databaseUrl,
      connectionTimeoutMillis: timeoutMs,
      query_timeout: timeoutMs,
      application_name: `lk-${this.config.service}-health`,
    });
    // a connection dropped after the check must not become an unhandled 'error' event
    client.on('error', () => undefined);
    await boundedCheck(
      'postgres',
      timeoutMs,
      async () => {
        await client.connect();
        await client.query('select 1');
      },
      () => client.end(),
    );
  }
}
