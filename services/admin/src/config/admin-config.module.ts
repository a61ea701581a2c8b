import { Global, Module, type DynamicModule } from '@nestjs/common';
import type { AdminConfig } from './admin-config';

export const ADMIN_CONFIG = Symbol('ADMIN_CONFIG');

/** The admin settings validated at start-up, for the providers that need them. */
@Global()
@Module({})
export class AdminConfigModule {
  static forRoot(config: AdminConfig): DynamicModule {
    return {
      module: AdminConfigModule,
      providers: [{ provide: ADMIN_CONFIG, useValue: config }],
      exports: [ADMIN_CONFIG],
    };
  }
}
