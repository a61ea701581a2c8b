import { Module, type DynamicModule } from '@nestjs/common';
import { loadBatchConfig } from './config/batch-config';
import { BatchConfigModule } from './config/batch-config.module';
import { ReplayProcessor } from './worker/replay-processor';
import { ReplayWorkerService } from './worker/replay-worker.service';

/**
 * The batch workers: replay runs' jobs from the BullMQ queue. Configuration and /health come from @lk/nest's
 * ServiceModule around it.
 */
@Module({})
export class AppModule {
  static forRoot(env: Record<string, string | undefined> = process.env): DynamicModule {
    return {
      module: AppModule,
      imports: [BatchConfigModule.forRoot(loadBatchConfig(env))],
      providers: [ReplayProcessor, ReplayWorkerService],
    };
  }
}
