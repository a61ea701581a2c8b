import { Inject, Injectable } from '@nestjs/common';
import { Redis } from 'ioredis';
import { SERVICE_CONFIG } from '../../config/service-config.module';
import type { ServiceConfig } from '../../config/service-config';
import { boundedCheck } from '../bounded-check';
import type { HealthIndicator } from '../health-indicator';

/** PING on a connection of its own that never reconnects or queues: a down Redis fails the check at once. */
@Injectable()
export class RedisHealthIndicator implements HealthIndicator {
  readonly name = 'redis';

  constructor(@Inject(SERVICE_CONFIG) private readonly config: ServiceConfig) {}

  async check(timeoutMs: number): Promise<void> {
    const client = new Redis(this.config.stack.redisUrl!, {
      lazyConnect: true,
      connectTimeout: timeoutMs,
      commandTimeout: timeoutMs,
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      retryStrategy: () => null,
      connectionName: `lk-${this.config.service}-health`,
    });
    // ioredis reports why a connection failed (ECONNREFUSED…) only as an 'error' event; connect() itself
    // rejects with "Connection is closed.", so the event's error is the one the check reports
    let cause: unknown;
    client.on('error', (error: unknown) => (cause ??= error));
    await boundedCheck(
      'redis',
      timeoutMs,
      async () => {
        await client.connect().catch((error: unknown) => {
          throw cause ?? error;
        });
        const answer = await client.ping();
        if (answer !== 'PONG') throw new Error(`PING answered "${answer}"`);
      },
      async () => client.disconnect(),
    );
  }
}
