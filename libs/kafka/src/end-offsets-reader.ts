import type { KafkaClient } from './kafka-client';

/**
 * Reads a topic's log end offsets with one short-lived admin connection, bounded in time: for reports (the
 * comparison scorecard's lag) that must say "unknown" during a Kafka outage rather than wait out the client's
 * retries.
 */
export function endOffsetsReader(
  kafka: KafkaClient,
  timeoutMs = 5_000,
): (topic: string) => Promise<Map<number, bigint>> {
  return async (topic) => {
    const admin = kafka.admin();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no end offsets of ${topic} within ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    try {
      return await Promise.race([
        (async () => {
          await admin.connect();
          return admin.endOffsets(topic);
        })(),
        timeout,
      ]);
    } finally {
      clearTimeout(timer);
      await admin.disconnect().catch(() => undefined);
    }
  };
}
