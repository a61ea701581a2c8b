import { describe, expect, it } from 'vitest';
import { consumerLag, totalLag } from '../src';

describe('consumerLag', () => {
  it('is end − next per partition, all of a partition without state, never negative', () => {
    const logEnd = new Map<number, number | bigint>([
      [0, 100n],
      [1, 50],
      [2, 7n],
      [3, 0n],
    ]);
    // partition 2 has no state yet; partition 3's consumer is ahead of a log that was truncated/recreated
    const next = new Map([
      [0, 40],
      [1, 50],
      [3, 5],
    ]);
    const lags = consumerLag(logEnd, next);
    expect(lags).toEqual([
      { partition: 0, endOffset: 100, nextOffset: 40, lag: 60 },
      { partition: 1, endOffset: 50, nextOffset: 50, lag: 0 },
      { partition: 2, endOffset: 7, nextOffset: null, lag: 7 },
      { partition: 3, endOffset: 0, nextOffset: 5, lag: 0 },
    ]);
    expect(totalLag(lags)).toBe(67);
    expect(totalLag(consumerLag(new Map(), next))).toBe(0);
  });
});
