import { Module, type DynamicModule } from '@nestjs/common';
import { ComparisonsModule } from './comparisons/comparisons.module';
import { loadAdminConfig } from './config/admin-config';
import { AdminConfigModule } from './config/admin-config.module';
import { LagModule } from './lag/lag.module';
import { MetricsController } from './metrics/metrics.controller';
import { PipelinesModule } from './pipelines/pipelines.module';
import { QueuesModule } from './queues/queues.module';
import { ReplaysModule } from './replays/replays.module';
import { SchemasModule } from './schemas/schemas.module';
import { StackModule } from './stack/stack.module';

/**
 * The admin service: replays, comparisons, pipelines and their results, lag, schema checks; OpenAPI at /docs,
 * Bull Board at /queues, the dashboard at /.
 * Configuration and /health come from @lk/nest's ServiceModule around it.
 */
@Module({})
export class AppModule {
  static forRoot(env: Record<string, string | undefined> = process.env): DynamicModule {
    return {
      module: AppModule,
      imports: [
        AdminConfigModule.forRoot(loadAdminConfig(env)),
        StackModule,
        ReplaysModule,
        ComparisonsModule,
        PipelinesModule,
        LagModule,
        SchemasModule,
        QueuesModule,
      ],
      controllers: [MetricsController],
    };
  }
}
