import { describe, expect, it } from 'vitest';
import { Partitioners } from 'kafkajs';
import { createJavaCompatiblePartitioner, murmur2, partitionForKey } from '@lk/kafka';

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

describe('createJavaCompatiblePartitioner', () => {
  const metadata = (leaders: number[]) => leaders.map((leader, partitionId) => ({ partitionId, leader }));

  it('places keyed messages exactly where kafkajs DefaultPartitioner does', () => {
    const ours = createJavaCompatiblePartitioner();
    const theirs = Partitioners.DefaultPartitioner();
    const partitionMetadata = metadata(Array.from({ length: 12 }, () => 1));
    const keys: (string | Buffer)[] = [];
    for (let i = 0; i < 2_000; i++) keys.push(`user-${i}|${1_700_000_000_000 + i * 60_000}`);
    keys.push('ünïcödé-ключ-🔑', 'x'.repeat(400), 'é'.repeat(400), '', Buffer.from([0, 255, 128, 7, 9]));
    for (const key of keys) {
      const input = { topic: 't', partitionMetadata, message: { key } };
      expect(ours(input)).toBe(theirs(input as never));
    }
  });

  it('keeps a given partition and spreads unkeyed messages over partitions with a leader only', () => {
    const partition = createJavaCompatiblePartitioner();
    const partitionMetadata = metadata([1, -1, 1, -1]);
    expect(partition({ topic: 't', partitionMetadata, message: { key: 'k', partition: 3 } })).toBe(3);
    const seen = new Map<number, number>();
    for (let i = 0; i < 100; i++) {
      const chosen = partition({ topic: 't', partitionMetadata, message: {} });
      seen.set(chosen, (seen.get(chosen) ?? 0) + 1);
    }
    expect([...seen.keys()].sort()).toEqual([0, 2]);
    expect(seen.get(0)).toBe(50);
  });
});
