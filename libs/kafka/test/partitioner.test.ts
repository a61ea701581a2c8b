import { describe, expect, it } from 'vitest';
import { murmur2, partitionForKey } from '@lk/kafka';

describe('murmur2', () => {
  // the expected values are those of Kafka's own UtilsTest.testMurmur2 (Java client)
  it.each([
    ['21', -973932308],
    ['foobar', -790332482],
    ['a-little-bit-long-string', -985981536],
    ['a-little-bit-longer-string', -1486304829],
    ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
    ['abc', 479470107],
  ])('hashes "%s" like the Java client', (text, expected) => {
    expect(murmur2(Buffer.from(text))).toBe(expected);
  });

  it('maps keys to partitions in range, stably', () => {
    for (let i = 0; i < 1_000; i++) {
      const partition = partitionForKey(`user-${i}`, 12);
      expect(partition).toBeGreaterThanOrEqual(0);
      expect(partition).toBeLessThan(12);
      expect(partitionForKey(Buffer.from(`user-${i}`), 12)).toBe(partition);
    }
  });
});
