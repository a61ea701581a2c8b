export { ConfigError } from './errors';
export { EnvReader } from './config/env-reader';
export { loadStackConfig, type StackConfig } from './config/stack-config';
export { Logger, type LogLevel, type LogSink } from './logging/logger';
export { HealthController, type HealthOptions, type HealthReport } from './nest/health.controller';
export { HealthModule } from './nest/health.module';
export { bootstrapService, type ServiceDefinition } from './nest/bootstrap-service';
