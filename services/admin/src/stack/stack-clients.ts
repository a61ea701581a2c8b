import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { Logger } from '@lk/common';
import { KafkaClient } from '@lk/kafka';
import { Database } from '@lk/store';
import { ADMIN_CONFIG } from '../config/admin-config.module';
import type { AdminConfig } from '../config/admin-config';

/** The one Postgres pool and Kafka client of the admin service, closed when it stops. */
@Injectable()
export class StackClients implements OnModuleDestroy {
  readonly logger = new Logger('admin');
  readonly database: Database;
  readonly kafka: KafkaClient;

  constructor(@Inject(ADMIN_CONFIG) config: AdminConfig) {
    this.database = new Database(config.stack.databaseUrl, {
      applicationName: 'lk-admin',
      logger: this.logger,
    });
    // requests wait for Kafka: a couple of quick retries, then the error (a 503), not the client's long backoff
    this.kafka = new KafkaClient({
      brokers: config.stack.kafkaBrokers,
      clientId: 'lk-admin',
      logger: this.logger,
      retry: { retries: 2 },
    });
  }

  async onModuleDestroy(): Promise<void> {
    await this.database.close();
  }
}
