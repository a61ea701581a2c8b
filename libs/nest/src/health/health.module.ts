import { Module, type DynamicModule, type Type } from '@nestjs/common';
import type { StackDependency } from '@lk/common';
import { HealthController } from './health.controller';
import { HealthService } from './health.service';
import { HEALTH_INDICATORS, type HealthIndicator } from './health-indicator';
import { KafkaHealthIndicator } from './indicators/kafka.health-indicator';
import { PostgresHealthIndicator } from './indicators/postgres.health-indicator';
import { RedisHealthIndicator } from './indicators/redis.health-indicator';
import { RegistryHealthIndicator } from './indicators/registry.health-indicator';

const indicatorFor: Record<StackDependency, Type<HealthIndicator>> = {
  kafka: KafkaHealthIndicator,
  registry: RegistryHealthIndicator,
  postgres: PostgresHealthIndicator,
  redis: RedisHealthIndicator,
};

/** GET /health for every service: its name, uptime and a check of each stack component it uses. */
@Module({})
export class HealthModule {
  static forRoot(dependencies: readonly StackDependency[]): DynamicModule {
    const indicators = dependencies.map((dependency) => indicatorFor[dependency]);
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
