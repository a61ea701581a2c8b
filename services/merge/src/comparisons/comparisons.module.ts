import { Module } from '@nestjs/common';
import { MergeMetrics } from '../metrics/merge-metrics';
import { MetricsController } from '../metrics/metrics.controller';
import { ComparisonScheduler } from './comparison-scheduler';

/** Comparisons after every replay and on a schedule, and their metrics. */
@Module({
  controllers: [MetricsController],
  providers: [MergeMetrics, ComparisonScheduler],
})
export class ComparisonsModule {}
