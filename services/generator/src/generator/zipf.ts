import { CdfSampler } from './cdf-sampler';

/**
 * Zipf weights over ranks 1..n: P(rank k) ∝ 1 / k^exponent. Exponent 0 is uniform; ~1 is the classic
 * "few hot users" skew of web traffic; larger is more skewed.
 */
export function zipfWeights(n: number, exponent: number): Float64Array {
  const weights = new Float64Array(n);
  for (let k = 0; k < n; k++) weights[k] = 1 / Math.pow(k + 1, exponent);
  return weights;
}

/** Samples a 0-based rank (0 = the hottest key) from Zipf(n, exponent). */
export function zipfSampler(n: number, exponent: number): CdfSampler {
  return new CdfSampler(zipfWeights(n, exponent));
}

/** The generalized harmonic number H(n, s) = Σ 1/k^s, so the top rank's share is 1 / H(n, s). */
export function harmonic(n: number, exponent: number): number {
  let sum = 0;
  // smallest terms first, for a more exact float sum
  for (let k = n; k >= 1; k--) sum += 1 / Math.pow(k, exponent);
  return sum;
}
