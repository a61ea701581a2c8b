import { Module, type DynamicModule } from '@nestjs/common';
import { HEALTH_OPTIONS, HealthController, type HealthOptions } from './health.controller';

/** GET /health for every service: its name, uptime and the state of the dependencies it names. */
@Module({})
export class HealthModule {
  static forRoot(options: HealthOptions): DynamicModule {
    return {
      module: HealthModule,
      controllers: [HealthController],
      providers: [{ provide: HEALTH_OPTIONS, useValue: options }],
    };
  }
}
