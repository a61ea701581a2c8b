import { Module, type DynamicModule } from '@nestjs/common';
import type { StackDependency } from '@lk/common';
import { HealthController } from './health.controller';
import { HealthService } from './health.service';
import { HEALTH_INDICATORS, type HealthIndicator } from './health-indicator';
import { HEALTH_INDICATOR_TYPES } from './indicators/health-indicator-types';

/** GET /health for every service: its name, uptime and a check of each stack component it uses. */
@Module({})
export class HealthModule {
  static forRoot(dependencies: readonly StackDependency[]): DynamicModule {
    const indicators = dependencies.map((dependency) => HEALTH_INDICATOR_TYPES[dependency]);
    return {
      module: HealthModule,
      controllers: [HealthController],
      providers: [
        ...indicators,
        {
          provide: HEALTH_INDICATORS,
          useFactory: (...instances: HealthIndicator[]) => instances,
          inject: indicators,
        },
        HealthService,
      ],
    };
  }
}
