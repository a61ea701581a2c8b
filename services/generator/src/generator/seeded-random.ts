/**
 * xoshiro128** (Blackman & Vigna), seeded through splitmix32. Small, fast with 32-bit integer math
 * (Math.imul), and good enough statistically for test data; Math.random cannot be seeded, and the whole
 * point of the generator is that a seed reproduces the same event log.
 */
export class SeededRandom {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  /** @param seed any safe integer; its high and low 32 bits both feed the state */
  constructor(seed: number) {
    if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be a safe integer, got ${seed}`);
    const low = seed >>> 0;
    const high = Math.floor(seed / 2 ** 32) >>> 0;
    let x = (low ^ Math.imul(high, 0x9e3779b9)) >>> 0;
    const next = (): number => {
      // splitmix32: spreads a poor seed (0, 1, 2 ...) over the whole state, which must not be all zeros
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next() | 1;
  }

  /** uniform 32-bit unsigned integer */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** uniform in [0, 1), 53 bits of precision */
  float(): number {
    const high = this.nextUint32() >>> 5; // 27 bits
    const low = this.nextUint32() >>> 6; // 26 bits
    return (high * 67108864 + low) / 9007199254740992;
  }

  /** uniform integer in [0, n) */
  int(n: number): number {
    return Math.floor(this.float() * n);
  }

  /** uniform in [min, max] for integers, e.g. a jitter of 0..maxJitter ms inclusive */
  intBetween(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }

  /** true with probability p */
  chance(p: number): boolean {
    return p > 0 && this.float() < p;
  }

  /** standard normal (Box-Muller; one pair of draws per call, so the draw count per call is fixed) */
  normal(): number {
    const u1 = 1 - this.float(); // (0, 1]: log(0) would be -Infinity
    const u2 = this.float();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
