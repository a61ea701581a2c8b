import type { ConnectionOptions } from 'bullmq';

/**
 * BullMQ's Redis connection from a `redis://[user:password@]host:port[/db]` URL. `maxRetriesPerRequest: null`
 * is what BullMQ's workers require: a blocking command must wait out a Redis restart, not fail.
 */
export function redisConnection(url: string): ConnectionOptions {
  const parsed = new URL(url);
  return {
    host: parsed.hostname,
    port: parsed.port === '' ? 6379 : Number(parsed.port),
    username: parsed.username === '' ? undefined : decodeURIComponent(parsed.username),
    password: parsed.password === '' ? undefined : decodeURIComponent(parsed.password),
    db: parsed.pathname.length > 1 ? Number(parsed.pathname.slice(1)) : 0,
    maxRetriesPerRequest: null,
  };
}
