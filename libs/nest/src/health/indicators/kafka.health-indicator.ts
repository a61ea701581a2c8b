import { Inject, Injectable } from '@nestjs/common';
import { Logger } from '@lk/common';
import { KafkaClient } from '@lk/kafka';
import { SERVICE_CONFIG } from '../../config/service-config.module';
import type { ServiceConfig } from '../../config/service-config';
import { boundedCheck } from '../bounded-check';
import type { HealthIndicator } from '../health-indicator';

/**
 * A metadata request (the topic list) through an admin client of its own. kafkajs's per-attempt lines for this
 * client are dropped: a failing broker is reported by /health and logged once by HealthService when the check
 * changes state, not as a burst of connection errors on every probe.
 *
 * One attempt, no retries, and a connection timeout inside the check's budget: with kafkajs's defaults (5
 * retries from 300 ms) a closed port was reported as "kafka did not answer within N ms"; now the probe fails
 * with the real cause (ECONNREFUSED, an unknown host) well before the deadline, and the next probe retries.
 */
@Injectable()
export class KafkaHealthIndicator implements HealthIndicator {
  readonly name = 'kafka';
  private readonly quiet = new Logger('kafka', { probe: 'health' }, 'error', () => undefined);

  constructor(@Inject(SERVICE_CONFIG) private readonly config: ServiceConfig) {}

  async check(timeoutMs: number): Promise<void> {
    const admin = new KafkaClient({
      brokers: this.config.stack.kafkaBrokers!,
      clientId: `lk-${this.config.service}-health`,
      logger: this.quiet,
      retry: { retries: 0 },
      connectionTimeout: Math.max(100, Math.min(1_000, Math.floor(timeoutMs / 2))),
    }).admin();
    await boundedCheck(
      'kafka',
      timeoutMs,
      async () => {
        await admin.connect();
        await admin.topicExists('user-events');
      },
      () => admin.disconnect(),
    );
  }
}
