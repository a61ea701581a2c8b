import { describe, expect, it } from 'vitest';
import { logLevel, type LogEntry } from 'kafkajs';
import { Logger } from '@lk/common';
import { mapKafkajsLogLine } from '@lk/kafka';
import { kafkajsLogCreator } from '../src/kafkajs-log-bridge';

/** a line as kafkajs's logger builds it: its own timestamp and `logger` name next to the message */
const entry = (
  level: logLevel,
  namespace: string,
  message: string,
  extra: Record<string, unknown> = {},
): LogEntry => ({
  namespace,
  level,
  label: logLevel[level],
  log: { timestamp: '2026-01-01T00:00:00.000Z', logger: 'kafkajs', message, ...extra } as LogEntry['log'],
});

function bridge(): { log: (e: LogEntry) => void; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const logger = new Logger('kafka', {}, 'debug', (line) =>
    lines.push(JSON.parse(line) as Record<string, unknown>),
  );
  return { log: kafkajsLogCreator(logger)(logLevel.DEBUG), lines };
}

describe('kafkajs log bridge', () => {
  it('logs a retriable per-attempt failure at debug, keeping the namespace and dropping the duplicate fields', () => {
    const { log, lines } = bridge();
    log(
      entry(logLevel.ERROR, 'Connection', 'Response FindCoordinator(key: 10, version: 2)', {
        error: "The coordinator is loading and hence can't process requests for this group",
        broker: '127.0.0.1:9092',
        correlationId: 3,
      }),
    );
    expect(lines).toHaveLength(1);
    const [line] = lines;
    expect(line).toMatchObject({
      level: 'debug',
      component: 'kafka',
      event: 'kafkajs: Response FindCoordinator(key: 10, version: 2)',
      namespace: 'Connection',
      broker: '127.0.0.1:9092',
    });
    expect(line).not.toHaveProperty('logger');
    expect(Object.keys(line!).filter((k) => k === 'timestamp')).toEqual([]);
  });

  it.each([
    [
      logLevel.ERROR,
      'Producer',
      'Failed to send messages: This server does not host this topic-partition',
      {},
      'debug',
    ],
    [
      logLevel.ERROR,
      'BrokerPool',
      "The coordinator is loading and hence can't process requests for this group",
      { retryCount: 0 },
      'debug',
    ],
    [
      logLevel.WARN,
      'Admin',
      'Could not create topics',
      { error: 'This is not the correct controller for this cluster', retryCount: 1 },
      'debug',
    ],
    [logLevel.ERROR, 'Consumer', 'Restarting the consumer in 312ms', { retryCount: 5 }, 'warn'],
    [logLevel.ERROR, 'Consumer', 'Crash: KafkaJSNumberOfRetriesExceeded: boom', {}, 'warn'],
    [logLevel.ERROR, 'Runner', 'Error when calling eachBatch', { error: 'boom' }, 'warn'],
    [logLevel.ERROR, 'Connection', 'Connection error: connect ECONNREFUSED 127.0.0.1:9092', {}, 'warn'],
    [
      logLevel.ERROR,
      'BrokerPool',
      'Failed to connect to seed broker, trying another broker from the list: Connection error: connect ECONNREFUSED 127.0.0.1:9092',
      { retryCount: 3 },
      'warn',
    ],
    [logLevel.WARN, 'Runner', 'The group is rebalancing, re-joining', {}, 'info'],
    [
      logLevel.ERROR,
      'Connection',
      'Response Heartbeat(key: 12, version: 3)',
      { error: 'The group is rebalancing, so a rejoin is needed' },
      'debug',
    ],
    [logLevel.ERROR, 'ConsumerGroup', 'Offset out of range, resetting to default offset', {}, 'error'],
    [logLevel.ERROR, 'Consumer', 'Caught error when disconnecting the consumer: boom', {}, 'error'],
    // a non-retriable attempt of a retried operation (after a broker restart): its caller reports the outcome
    [
      logLevel.ERROR,
      'Producer',
      'The broker received an out of order sequence number',
      { retryCount: 0, retryTime: 51 },
      'warn',
    ],
    [
      logLevel.WARN,
      'Producer',
      'Limiting retries for the idempotent producer may invalidate EoS guarantees',
      {},
      'debug',
    ],
    [logLevel.INFO, 'Consumer', 'Starting', {}, 'info'],
  ] as const)('level %i %s "%s" %o → %s', (level, namespace, message, extra, expected) => {
    expect(mapKafkajsLogLine(entry(level, namespace, message, extra)).level).toBe(expected);
  });

  it('passes only real failures at error: a run of retriable attempts and a restart print no ERROR line', () => {
    const { log, lines } = bridge();
    for (let attempt = 0; attempt < 3; attempt++)
      log(
        entry(logLevel.ERROR, 'Connection', 'Response InitProducerId(key: 22, version: 1)', {
          error: "The coordinator is loading and hence can't process requests for this group",
        }),
      );
    log(entry(logLevel.ERROR, 'Consumer', 'Restarting the consumer in 300ms'));
    expect(lines.map((l) => l.level)).toEqual(['debug', 'debug', 'debug', 'warn']);
  });
});
