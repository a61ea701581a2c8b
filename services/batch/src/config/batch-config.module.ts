import { Global, Module, type DynamicModule } from '@nestjs/common';
import type { BatchConfig } from './batch-config';

export const BATCH_CONFIG = Symbol('BATCH_CONFIG');

/** The batch settings validated at start-up, for the providers that need them. */
@Global()
@Module({})
export class BatchConfigModule {
  static forRoot(config: BatchConfig): DynamicModule {
    return {
      module: BatchConfigModule,
      providers: [{ provide: BATCH_CONFIG, useValue: config }],
      exports: [BATCH_CONFIG],
    };
  }
}
