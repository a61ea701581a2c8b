import type { ConnectionOptions } from 'bullmq';

/**
 * BullMQ's Redis connection from a `redis://[user:password@]host:port[/db]` URL. A worker's
 * (`maxRetriesPerRequest: null`, as BullMQ requires) waits out a Redis restart; a producer's (the CLI, the
 * API) fails a command after a few seconds instead, so a caller gets an error rather than a hang.
 */
export function redisConnection(url: string, role: 'worker' | 'producer' = 'worker'): ConnectionOptions {
  const parsed = new URL(url);
  const failFast = role === 'producer' && {
    maxRetriesPerRequest: 2,
    connectTimeout: 3_000,
    // a command issued while disconnected fails at once instead of waiting for a reconnect
    enableOfflineQueue: false,
    retryStrategy: (attempt: number) => (attempt > 3 ? null : 250 * attempt),
  };
  return {
    host: parsed.hostname,
    port: parsed.port === '' ? 6379 : Number(parsed.port),
    username: parsed.username === '' ? undefined : decodeURIComponent(parsed.username),
    password: parsed.password === '' ? undefined : decodeURIComponent(parsed.password),
    db: parsed.pathname.length > 1 ? Number(parsed.pathname.slice(1)) : 0,
    maxRetriesPerRequest: null,
    ...failFast,
  };
}
