import { Module, type DynamicModule } from '@nestjs/common';
import { loadSpeedConfig } from './config/speed-config';
import { SpeedConfigModule } from './config/speed-config.module';
import { StreamJobsService } from './job/stream-jobs.service';
import { MetricsController } from './metrics/metrics.controller';
import { SpeedMetrics } from './metrics/speed-metrics';

/**
 * The speed service: every selected pipeline at SPEED_VERSION as a streaming job, and /metrics.
 * Configuration and /health come from @lk/nest's ServiceModule around it.
 */
@Module({})
export class AppModule {
  static forRoot(env: Record<string, string | undefined> = process.env): DynamicModule {
    return {
      module: AppModule,
      imports: [SpeedConfigModule.forRoot(loadSpeedConfig(env))],
      controllers: [MetricsController],
      providers: [SpeedMetrics, StreamJobsService],
    };
  }
}
