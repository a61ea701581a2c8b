import { describe, expect, it } from 'vitest';
import {
  CdfSampler,
  formatDuration,
  harmonic,
  parseAmountDistribution,
  parseDuration,
  parseDurationRange,
  SeededRandom,
  zipfWeights,
} from '../src/generator';

describe('SeededRandom', () => {
  it('repeats for a seed and differs between seeds', () => {
    const draw = (seed: number): number[] => {
      const random = new SeededRandom(seed);
      return Array.from({ length: 5 }, () => random.nextUint32());
    };
    expect(draw(7)).toEqual(draw(7));
    expect(draw(7)).not.toEqual(draw(8));
    expect(draw(2 ** 40)).not.toEqual(draw(0));
  });

  it('is roughly uniform in [0, 1)', () => {
    const random = new SeededRandom(1);
    const buckets = new Array<number>(10).fill(0);
    let outside = 0;
    for (let i = 0; i < 100_000; i++) {
      const x = random.float();
      if (x < 0 || x >= 1) outside++;
      else buckets[Math.floor(x * 10)]!++;
    }
    expect(outside).toBe(0);
    for (const count of buckets) expect(Math.abs(count - 10_000)).toBeLessThan(500);
  });
});

describe('CdfSampler', () => {
  it('binary-searches the CDF', () => {
    const sampler = new CdfSampler([1, 2, 1]);
    expect(sampler.indexOf(0)).toBe(0);
    expect(sampler.indexOf(0.2499)).toBe(0);
    expect(sampler.indexOf(0.25)).toBe(1);
    expect(sampler.indexOf(0.7499)).toBe(1);
    expect(sampler.indexOf(0.75)).toBe(2);
    expect(sampler.indexOf(0.999999999)).toBe(2);
    expect(sampler.probability(1)).toBeCloseTo(0.5);
  });

  it('builds Zipf weights whose top share is 1 / H(n, s)', () => {
    const sampler = new CdfSampler(zipfWeights(1_000, 1));
    expect(sampler.probability(0)).toBeCloseTo(1 / harmonic(1_000, 1), 12);
    expect(sampler.probability(1) / sampler.probability(0)).toBeCloseTo(0.5, 12);
  });
});

describe('durations', () => {
  it.each([
    ['500ms', 500],
    ['10s', 10_000],
    ['1m', 60_000],
    ['1h', 3_600_000],
    ['1d', 86_400_000],
    ['1h30m', 5_400_000],
    ['1.5s', 1_500],
    ['0', 0],
  ])('parses %s', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(['', '5', '1x', 'm', '-1s', '1 m', '1m..2m'])('rejects "%s"', (text) =>
    expect(parseDuration(text)).toBeUndefined(),
  );

  it('parses ranges and formats back', () => {
    expect(parseDurationRange('1m..10m')).toEqual({ min: 60_000, max: 600_000 });
    expect(parseDurationRange('5m')).toEqual({ min: 300_000, max: 300_000 });
    expect(parseDurationRange('1m..x')).toBeUndefined();
    expect(formatDuration(5_400_500)).toBe('1h30m500ms');
  });

  it('parses amount distributions', () => {
    expect(parseAmountDistribution('uniform:1..100')).toEqual({ kind: 'uniform', min: 1, max: 100 });
    expect(parseAmountDistribution('lognormal:20,1.5')).toEqual({
      kind: 'lognormal',
      median: 20,
      sigma: 1.5,
    });
    expect(parseAmountDistribution('normal:1,2')).toBeUndefined();
  });
});
