import type { SeededRandom } from './seeded-random';

/**
 * Samples an index with probability proportional to its weight: the cumulative distribution is computed
 * once, then each sample is one uniform draw and a binary search (O(log n)), so a skewed key space of
 * millions of keys costs ~20 comparisons per event.
 */
export class CdfSampler {
  private readonly cdf: Float64Array;

  constructor(weights: ArrayLike<number>) {
    if (weights.length === 0) throw new RangeError('at least one weight is needed');
    this.cdf = new Float64Array(weights.length);
    let total = 0;
    for (let i = 0; i < weights.length; i++) {
      const weight = weights[i]!;
      if (!(weight >= 0) || !Number.isFinite(weight)) throw new RangeError(`weight ${i} is ${weight}`);
      total += weight;
      this.cdf[i] = total;
    }
    if (!(total > 0)) throw new RangeError('the weights sum to 0');
    for (let i = 0; i < this.cdf.length; i++) this.cdf[i] = this.cdf[i]! / total;
    // rounding may leave the last entry a hair below 1; a draw of 0.9999999 must still land somewhere
    this.cdf[this.cdf.length - 1] = 1;
  }

  get size(): number {
    return this.cdf.length;
  }

  /** probability of index i */
  probability(i: number): number {
    return this.cdf[i]! - (i === 0 ? 0 : this.cdf[i - 1]!);
  }

  sample(random: SeededRandom): number {
    return this.indexOf(random.float());
  }

  /** the first index whose cumulative probability exceeds u, for u in [0, 1) */
  indexOf(u: number): number {
    let low = 0;
    let high = this.cdf.length - 1;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.cdf[mid]! > u) high = mid;
      else low = mid + 1;
    }
    return low;
  }
}
