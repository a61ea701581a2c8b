import { Module, type DynamicModule, type Type } from '@nestjs/common';
import { ServiceConfigModule } from '../config/service-config.module';
import type { ServiceConfig } from '../config/service-config';
import { HealthModule } from '../health/health.module';

/**
 * The root module of every service: the validated configuration (global), /health over the dependencies the
 * service declared, and the service's own AppModule.
 */
@Module({})
export class ServiceModule {
  static forRoot(app: Type<unknown> | DynamicModule, config: ServiceConfig): DynamicModule {
    return {
      module: ServiceModule,
      imports: [ServiceConfigModule.forRoot(config), HealthModule.forRoot(config.dependencies), app],
    };
  }
}
