import type { Type } from '@nestjs/common';
import type { StackDependency } from '@lk/common';
import type { HealthIndicator } from '../health-indicator';
import { KafkaHealthIndicator } from './kafka.health-indicator';
import { PostgresHealthIndicator } from './postgres.health-indicator';
import { RedisHealthIndicator } from './redis.health-indicator';
import { RegistryHealthIndicator } from './registry.health-indicator';

/** The check of each stack component: /health's, and start-up's while it waits for a dependency. */
export const HEALTH_INDICATOR_TYPES: Record<StackDependency, Type<HealthIndicator>> = {
  kafka: KafkaHealthIndicator,
  registry: RegistryHealthIndicator,
  postgres: PostgresHealthIndicator,
  redis: RedisHealthIndicator,
};
