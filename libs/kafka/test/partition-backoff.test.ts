import { describe, expect, it } from 'vitest';
import { PartitionBackoff } from '../src/partition-backoff';

describe('PartitionBackoff', () => {
  it('doubles the delay per consecutive failure up to the maximum, per partition, and resets on success', () => {
    const backoff = new PartitionBackoff(100, 1_000);
    expect([1, 2, 3, 4, 5, 6].map((i) => backoff.next('t', 0, i))).toEqual([
      100, 200, 400, 800, 1_000, 1_000,
    ]);
    expect(backoff.next('t', 1, 0)).toBe(100);
    backoff.succeeded('t', 0);
    expect(backoff.next('t', 0, 10)).toBe(100);
  });

  it('knows since when a partition has been failing, from its first failure after a success', () => {
    const backoff = new PartitionBackoff(100, 1_000);
    expect(backoff.failingForMs('t', 0, 5_000)).toBe(0);
    backoff.next('t', 0, 1_000);
    backoff.next('t', 0, 1_500);
    expect(backoff.failingForMs('t', 0, 61_000)).toBe(60_000);
    backoff.succeeded('t', 0);
    expect(backoff.failingForMs('t', 0, 61_000)).toBe(0);
    backoff.next('t', 0, 70_000);
    expect(backoff.failingForMs('t', 0, 70_500)).toBe(500);
  });
});
