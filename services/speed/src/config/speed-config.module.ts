import { Global, Module, type DynamicModule } from '@nestjs/common';
import type { SpeedConfig } from './speed-config';

export const SPEED_CONFIG = Symbol('SPEED_CONFIG');

/** The speed settings validated at start-up, for the providers that need them. */
@Global()
@Module({})
export class SpeedConfigModule {
  static forRoot(config: SpeedConfig): DynamicModule {
    return {
      module: SpeedConfigModule,
      providers: [{ provide: SPEED_CONFIG, useValue: config }],
      exports: [SPEED_CONFIG],
    };
  }
}
