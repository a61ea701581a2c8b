import { createServer, type AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { Logger } from '@lk/common';
import { KafkaClient } from '@lk/kafka';

const silent = new Logger('kafka-test', {}, 'error', () => undefined);

/** a port nothing listens on: bound, closed, then connected to */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

async function failure(client: KafkaClient): Promise<{ ms: number; message: string }> {
  const admin = client.admin();
  const started = performance.now();
  try {
    await admin.connect();
    await admin.topicExists('user-events');
  } catch (error) {
    return { ms: performance.now() - started, message: (error as Error).message };
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
  throw new Error('connected to a closed port');
}

describe('KafkaClient options: retry', () => {
  it('with { retries: 0 } a closed port fails at once with ECONNREFUSED instead of retrying for seconds', async () => {
    const port = await closedPort();
    const { ms, message } = await failure(
      new KafkaClient({
        brokers: [`127.0.0.1:${port}`],
        clientId: 'lk-options-test',
        logger: silent,
        retry: { retries: 0 },
        connectionTimeout: 500,
      }),
    );
    expect(message).toContain('ECONNREFUSED');
    // kafkajs's default (5 retries from 300 ms) takes over 10 s here
    expect(ms).toBeLessThan(1_000);
  });
});
