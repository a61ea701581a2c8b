import { Module, type DynamicModule } from '@nestjs/common';
import { ComparisonsModule } from './comparisons/comparisons.module';
import { loadMergeConfig } from './config/merge-config';
import { MergeConfigModule } from './config/merge-config.module';

/**
 * The merge service: comparisons after every completed replay and on a schedule, and /metrics. The views
 * (lambda_view, kappa_view) are SQL; configuration and /health come from @lk/nest's ServiceModule around it.
 */
@Module({})
export class AppModule {
  static forRoot(env: Record<string, string | undefined> = process.env): DynamicModule {
    return {
      module: AppModule,
      imports: [MergeConfigModule.forRoot(loadMergeConfig(env)), ComparisonsModule],
    };
  }
}
