import type { SeededRandom } from './seeded-random';

/**
 * How event amounts are drawn. Lognormal is the default because purchase-like amounts are positive and
 * right-skewed (many small, a few large); its parameters are the median and the sigma of the underlying
 * normal (sigma 1 → the 90th percentile is ~3.6 × the median). Uniform is there for tests that want
 * simple bounds. Amounts are rounded to cents and are at least 0.01 for lognormal.
 */
export type AmountDistribution =
  { kind: 'uniform'; min: number; max: number } | { kind: 'lognormal'; median: number; sigma: number };

export const DEFAULT_AMOUNT: AmountDistribution = { kind: 'lognormal', median: 20, sigma: 1 };

export function sampleAmount(distribution: AmountDistribution, random: SeededRandom): number {
  if (distribution.kind === 'uniform') {
    return toCents(distribution.min + random.float() * (distribution.max - distribution.min));
  }
  return Math.max(0.01, toCents(distribution.median * Math.exp(distribution.sigma * random.normal())));
}

/** "uniform:MIN..MAX" or "lognormal:MEDIAN,SIGMA"; undefined when it is neither. */
export function parseAmountDistribution(text: string): AmountDistribution | undefined {
  const uniform = /^uniform:([\d.]+)\.\.([\d.]+)$/.exec(text.trim());
  if (uniform) return { kind: 'uniform', min: Number(uniform[1]), max: Number(uniform[2]) };
  const lognormal = /^lognormal:([\d.]+),([\d.]+)$/.exec(text.trim());
  if (lognormal) return { kind: 'lognormal', median: Number(lognormal[1]), sigma: Number(lognormal[2]) };
  return undefined;
}

/** Validation; returns the problem or undefined. */
export function amountDistributionProblem(distribution: AmountDistribution): string | undefined {
  if (distribution.kind === 'uniform') {
    const { min, max } = distribution;
    if (!Number.isFinite(min) || !Number.isFinite(max) || min < 0 || max < min)
      return `uniform needs 0 <= min <= max, got ${min}..${max}`;
    return undefined;
  }
  const { median, sigma } = distribution;
  if (!(median > 0) || !Number.isFinite(median)) return `lognormal median must be > 0, got ${median}`;
  if (!(sigma >= 0) || sigma > 5) return `lognormal sigma must be in 0..5, got ${sigma}`;
  return undefined;
}

function toCents(value: number): number {
  return Math.round(value * 100) / 100;
}
