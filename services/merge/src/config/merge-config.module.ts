import { Global, Module, type DynamicModule } from '@nestjs/common';
import type { MergeConfig } from './merge-config';

export const MERGE_CONFIG = Symbol('MERGE_CONFIG');

/** The merge settings validated at start-up, for the providers that need them. */
@Global()
@Module({})
export class MergeConfigModule {
  static forRoot(config: MergeConfig): DynamicModule {
    return {
      module: MergeConfigModule,
      providers: [{ provide: MERGE_CONFIG, useValue: config }],
      exports: [MERGE_CONFIG],
    };
  }
}
