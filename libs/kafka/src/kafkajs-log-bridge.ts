import { logLevel, type logCreator, type LogEntry } from 'kafkajs';
import type { Logger, LogLevel } from '@lk/common';

/**
 * kafkajs's own table of protocol errors. Its log lines carry only an error's message, not whether it is
 * retriable, so the bridge recognises retriable ones by message. kafkajs is pinned (2.2.4) and has no
 * `exports` map, so this internal path is stable.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { errorCodes } = require('kafkajs/src/protocol/error.js') as {
  errorCodes: { type: string; retriable: boolean; message: string }[];
};
const retriableProtocolMessages = new Set(errorCodes.filter((e) => e.retriable).map((e) => e.message));

/** network failures kafkajs retries (reconnects) on its own */
const connectionFailure =
  /^(Connection error|Connection timeout|Closed connection|Connection closed by the server|Failed to connect to seed broker)/;

export interface MappedLogLine {
  level: LogLevel;
  event: string;
  fields: Record<string, unknown>;
}

/**
 * Decides the level of one kafkajs log line. kafkajs logs every failed attempt of an operation it retries at
 * ERROR (or WARN), e.g. "The coordinator is loading…" right after a broker start, although the operation
 * then succeeds: those are per-attempt noise (debug). A failure that outlives the retries reaches our code as
 * a thrown error or a consumer crash and is logged there, with its verdict, so ERROR stays for real failures.
 * Connection failures stay at warn: kafkajs retries them too, but a broker that stays down should be visible
 * while it does.
 */
export function mapKafkajsLogLine(entry: LogEntry): MappedLogLine {
  const {
    message,
    timestamp: _timestamp,
    logger: _logger,
    ...extra
  } = entry.log as LogEntry['log'] & {
    logger?: string;
  };
  const text = String(message);
  const fields: Record<string, unknown> = { namespace: entry.namespace, ...extra };
  const event = `kafkajs: ${text}`;
  const errorText = typeof extra.error === 'string' ? extra.error : undefined;
  const retriable =
    retriableProtocolMessages.has(text) ||
    (errorText !== undefined && retriableProtocolMessages.has(errorText)) ||
    text.startsWith('Failed to send messages: ');
  const at = (level: LogLevel): MappedLogLine => ({ level, event, fields });

  if (entry.level >= logLevel.DEBUG) return at('debug');
  if (entry.level >= logLevel.INFO) return at('info');
  // "Restarting the consumer in 300ms": kafkajs decided to recover, our consumer logs the crash itself
  if (text.startsWith('Restarting the consumer') || text.startsWith('Crash: ')) return at('warn');
  if (retriable) return at('debug');
  // every member's heartbeat is answered so while a group rebalances: the normal way a rebalance starts
  if (text.startsWith('Response ') && errorText?.startsWith('The group is rebalancing')) return at('debug');
  if (connectionFailure.test(text) || connectionFailure.test(errorText ?? '')) return at('warn');
  // a failed request of an operation that is retried or whose error reaches the caller anyway
  if (text.startsWith('Response ')) return at('warn');
  // a handler failure: kafkajs retries it and our consumer reports the outcome
  if (text === 'Error when calling eachBatch' || text === 'Error when calling eachMessage') return at('warn');
  if (text.startsWith('The group is rebalancing')) return at('info');
  if (text.startsWith('The coordinator is not aware of this member')) return at('warn');
  // kafkajs's caution for a client with a retry limit (the generator's rides out a broker restart): a send
  // that exhausts it fails to its caller, and nothing of ours resends it with new sequence numbers
  if (text.startsWith('Limiting retries for the idempotent producer')) return at('debug');
  // one attempt of an operation kafkajs's retrier runs (it logs retryCount): the outcome reaches the caller,
  // which logs its own verdict — e.g. a results send failing after a broker restart fails the flush, which
  // the job retries
  if ('retryCount' in extra) return at('warn');
  return at(entry.level <= logLevel.ERROR ? 'error' : 'warn');
}

/** A kafkajs logCreator writing through our JSON logger with the levels of `mapKafkajsLogLine`. */
export function kafkajsLogCreator(logger: Logger): logCreator {
  return () => (entry) => {
    const { level, event, fields } = mapKafkajsLogLine(entry);
    logger[level](event, fields);
  };
}
