import { describe, expect, it, vi } from 'vitest';
import { Logger } from '@lk/common';
import type { KafkaClient, KafkaConsumer } from '@lk/kafka';
import { KafkaJobSource } from '../src/job/kafka-job-source';

/** A consumer whose life the test decides: `crash()` ends it for good, as kafkajs does after a fatal error. */
function fakeConsumer() {
  let crash!: (cause: Error) => void;
  const stopped = new Promise<void>((_, reject) => (crash = reject));
  stopped.catch(() => undefined);
  const consumer = {
    on: vi.fn(() => () => undefined),
    connect: vi.fn(async () => undefined),
    run: vi.fn(async () => undefined),
    waitForStop: () => stopped,
    disconnect: vi.fn(async () => undefined),
  };
  return { consumer, crash };
}

describe('KafkaJobSource', () => {
  it('starts a new consumer in the group after one stopped for good, with a growing pause, until stopped', async () => {
    vi.useFakeTimers();
    try {
      const consumers = [fakeConsumer(), fakeConsumer(), fakeConsumer()];
      let created = 0;
      const kafka = { consumer: () => consumers[created++]!.consumer as unknown as KafkaConsumer };
      const lines: string[] = [];
      const source = new KafkaJobSource(
        kafka as unknown as KafkaClient,
        'lk-speed-p-v1',
        'events',
        new Logger('speed', {}, 'warn', (line) => lines.push(line)),
      );
      const onStopped = vi.fn();
      await source.start({
        onBatch: async () => undefined,
        onAssigned: () => undefined,
        onRevoked: () => undefined,
        onStopped,
      });
      expect(created).toBe(1);
      consumers[0]!.crash(new Error('The coordinator is loading'));
      await vi.advanceTimersByTimeAsync(999);
      expect(created).toBe(1);
      await vi.advanceTimersByTimeAsync(1);
      expect(created).toBe(2);
      consumers[1]!.crash(new Error('again'));
      await vi.advanceTimersByTimeAsync(1_999);
      expect(created, 'the second pause is longer').toBe(2);
      await vi.advanceTimersByTimeAsync(1);
      expect(created).toBe(3);
      expect(onStopped).not.toHaveBeenCalled();
      expect(lines.filter((line) => line.includes('starting a new one'))).toHaveLength(2);
      await source.stop();
      consumers[2]!.crash(new Error('after stop'));
      await vi.advanceTimersByTimeAsync(60_000);
      expect(created, 'nothing restarts after stop').toBe(3);
    } finally {
      vi.useRealTimers();
    }
  });
});
