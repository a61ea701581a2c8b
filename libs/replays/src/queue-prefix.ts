import { ConfigError } from '@lk/common';
import { DEFAULT_QUEUE_PREFIX } from './replay-queue';

/**
 * REPLAY_QUEUE_PREFIX (default `bull`): letters, digits, `-` and `_` only, as it becomes part of Redis keys.
 * Everyone who queues or takes replay jobs (the batch workers, the replay CLI, the admin API) reads it here.
 */
export function queuePrefixFrom(env: Record<string, string | undefined>): string {
  const prefix = env.REPLAY_QUEUE_PREFIX || DEFAULT_QUEUE_PREFIX;
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(prefix))
    throw new ConfigError(
      'REPLAY_QUEUE_PREFIX',
      `expected 1-64 letters, digits, "-" or "_", got ${JSON.stringify(prefix)}`,
    );
  return prefix;
}
