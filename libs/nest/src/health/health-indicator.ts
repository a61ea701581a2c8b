import type { StackDependency } from '@lk/common';

export const HEALTH_INDICATORS = Symbol('HEALTH_INDICATORS');

/** One dependency's check: resolves when the dependency answers, rejects with the reason otherwise. */
export interface HealthIndicator {
  readonly name: StackDependency;
  check(timeoutMs: number): Promise<void>;
}
