import { ConfigError, EnvReader, loadStackConfig, type StackConfig } from '@lk/common';
import type { Pipeline } from '@lk/operators';
import { queuePrefixFrom } from '@lk/replays';
import { readPipelinesFile } from '@lk/streaming';

/** Everything the admin service reads from its environment, validated once at start-up. */
export interface AdminConfig {
  readonly stack: StackConfig;
  readonly pipelines: readonly Pipeline[];
  /** the bearer token mutating calls must carry; null: mutations are refused (read-only API) */
  readonly token: string | null;
  readonly queuePrefix: string;
}

/** A token shorter than this is guessable; refusing it at start-up beats accepting it quietly. */
const MIN_TOKEN_LENGTH = 16;

export function loadAdminConfig(env: Record<string, string | undefined> = process.env): AdminConfig {
  const read = new EnvReader(env);
  const token = env.ADMIN_TOKEN ?? '';
  if (token !== '' && (token.length < MIN_TOKEN_LENGTH || /\s/.test(token)))
    throw new ConfigError(
      'ADMIN_TOKEN',
      `expected at least ${MIN_TOKEN_LENGTH} characters without spaces (got ${token.length} characters)`,
    );
  return {
    stack: loadStackConfig(env),
    pipelines: readPipelinesFile(read.string('PIPELINES_FILE', './pipelines.yaml')),
    token: token === '' ? null : token,
    queuePrefix: queuePrefixFrom(env),
  };
}
