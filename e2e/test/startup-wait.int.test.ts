import { readFileSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { loadStackConfig } from '@lk/common';
import { ServiceProcess } from '../src/support/service-process';

/**
 * Services started while a dependency is away (a broker restarting, PostgreSQL not up yet) wait for it instead
 * of exiting: the dependency is reached through a TCP relay on a port of the test's, closed at first and opened
 * to the real component later.
 */
const stack = loadStackConfig(process.env);
const services: ServiceProcess[] = [];
const relays: Relay[] = [];

afterEach(async () => {
  for (const service of services.splice(0)) await service.kill();
  for (const relay of relays.splice(0)) await relay.close();
});

/** Forwards connections on its port to `target` once opened; until then the port is closed (ECONNREFUSED). */
class Relay {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();

  private constructor(
    readonly port: number,
    private readonly target: { host: string; port: number },
  ) {}

  /** A port free now, not listened on yet (see closedPort). */
  static async on(target: { host: string; port: number }): Promise<Relay> {
    const relay = new Relay(await closedPort(), target);
    relays.push(relay);
    return relay;
  }

  async open(): Promise<void> {
    this.server = createServer((client) => {
      const upstream = connect(this.target.port, this.target.host);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((done) => this.server!.listen(this.port, '127.0.0.1', done));
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    if (this.server) await new Promise((done) => this.server!.close(done));
  }
}

/**
 * A port nothing listens on (connecting is refused: ECONNREFUSED, as with a dependency that is not up) and
 * that stays free until the relay opens on it, seconds later. Not one the kernel hands out: `listen(0)` and
 * outgoing connections take their ports from ip_local_port_range, so a port found free there can be taken
 * in the meantime by any process — another suite's service, a client's connection — and the relay could not
 * open, or the service would reach a stranger. Below that range only a process naming the port takes it, and
 * a random one, checked free, is named by no one else. (A relay listening from the start and resetting
 * connections would hold the port, but the service would see a reset, not the refusal a closed port gives.)
 */
async function closedPort(): Promise<number> {
  let ephemeralFrom = 32_768;
  try {
    ephemeralFrom = Number(
      readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0],
    );
  } catch {
    // not Linux: the IANA dynamic range starts higher still (49152), so this stays outside it too
  }
  const from = Math.max(1_024, ephemeralFrom - 12_000);
  for (let attempt = 0; attempt < 50 && ephemeralFrom - from >= 100; attempt++) {
    const port = from + Math.floor(Math.random() * (ephemeralFrom - from));
    const probe = createServer();
    const free = await new Promise<boolean>((done) => {
      probe.once('error', () => done(false));
      probe.listen(port, '127.0.0.1', () => done(true));
    });
    if (free) await new Promise((done) => probe.close(done));
    if (free) return port;
  }
  throw new Error(`no free port below the ephemeral range (${ephemeralFrom}) for a relay`);
}

function start(service: string, env: Record<string, string>): ServiceProcess {
  const started = new ServiceProcess(service, { LOG_LEVEL: 'info', ...env });
  services.push(started);
  return started;
}

function hostPort(address: string): { host: string; port: number } {
  const at = address.lastIndexOf(':');
  return { host: address.slice(0, at), port: Number(address.slice(at + 1)) };
}

describe('start-up while a dependency is away', () => {
  it('speed waits for a broker that is not there yet, then starts; no ERROR line; SIGTERM exits 0', async () => {
    const relay = await Relay.on(hostPort(stack.kafkaBrokers[0]!));
    const speed = start('speed', { KAFKA_BROKERS: `127.0.0.1:${relay.port}` });
    const waiting = await speed.waitForLog('start-up waits for unavailable dependencies');
    expect(waiting).toMatchObject({
      level: 'warn',
      unavailable: [{ dependency: 'kafka', error: expect.stringContaining('ECONNREFUSED') }],
    });
    expect(speed.running).toBe(true);
    await relay.open();
    await speed.waitForLog('service started', 90_000);
    expect(
      speed.logLines().find((line) => line.event === 'dependencies available, start-up went through'),
    ).toBeTruthy();
    expect(speed.logLines().filter((line) => line.level === 'error')).toEqual([]);
    expect(await speed.stop('SIGTERM')).toBe(0);
  }, 150_000);

  it('speed waits for PostgreSQL the same way', async () => {
    const database = new URL(stack.databaseUrl);
    const relay = await Relay.on({ host: database.hostname, port: Number(database.port || 5432) });
    database.port = String(relay.port);
    const speed = start('speed', { DATABASE_URL: database.toString() });
    const waiting = await speed.waitForLog('start-up waits for unavailable dependencies');
    expect(waiting).toMatchObject({
      unavailable: [{ dependency: 'postgres', error: expect.stringContaining('ECONNREFUSED') }],
    });
    await relay.open();
    await speed.waitForLog('dependencies available, start-up went through', 90_000);
    expect(speed.logLines().filter((line) => line.level === 'error')).toEqual([]);
    expect(await speed.stop('SIGTERM')).toBe(0);
  }, 150_000);

  it('gives up after STARTUP_DEPENDENCY_WAIT_MS: exit 1, one ERROR line naming what stayed down', async () => {
    const relay = await Relay.on(hostPort(stack.kafkaBrokers[0]!));
    const speed = start('speed', {
      KAFKA_BROKERS: `127.0.0.1:${relay.port}`,
      STARTUP_DEPENDENCY_WAIT_MS: '3000',
    });
    expect(await speed.exitCode()).toBe(1);
    const errors = speed.logLines().filter((line) => line.level === 'error');
    expect(errors).toEqual([
      expect.objectContaining({
        event: 'start-up failed',
        error: expect.objectContaining({
          name: 'DependencyWaitExpiredError',
          message: expect.stringMatching(
            /^kafka \(.*ECONNREFUSED.*\) did not become available within \d+ ms/,
          ),
        }),
      }),
    ]);
  }, 120_000);

  it('a stop while waiting exits 0 at once', async () => {
    const relay = await Relay.on(hostPort(stack.kafkaBrokers[0]!));
    const speed = start('speed', { KAFKA_BROKERS: `127.0.0.1:${relay.port}` });
    await speed.waitForLog('start-up waits for unavailable dependencies');
    expect(await speed.stop('SIGTERM')).toBe(0);
  }, 120_000);

  it('a stop during a try (the app created, its start retrying the broker) closes it and exits 0', async () => {
    const relay = await Relay.on(hostPort(stack.kafkaBrokers[0]!));
    const speed = start('speed', { KAFKA_BROKERS: `127.0.0.1:${relay.port}` });
    await speed.waitForLog('start-up waits for unavailable dependencies');
    // The first wait is 1 s; the next try then spends seconds in the Kafka client's own retries (kafkajs: 5,
    // from 300 ms, doubling), logging each refused connection from inside the try, where the app exists. Stop
    // once such a line follows the wait's: a fixed sleep can land before or after the try on a loaded machine.
    const inTry = (lines: Record<string, unknown>[]) => {
      const waited = lines.findIndex((line) => line.event === 'start-up waits for unavailable dependencies');
      return lines.findIndex((line, i) => i > waited && String(line.event).startsWith('kafkajs: '));
    };
    for (const deadline = Date.now() + 60_000; inTry(speed.logLines()) < 0;) {
      if (!speed.running || Date.now() > deadline)
        throw new Error(`no second try seen: ${JSON.stringify(speed.logLines().slice(-5))}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(await speed.stop('SIGTERM')).toBe(0);
    // the stop came after the try's first refused connection (and with seconds of its retries left)
    const lines = speed.logLines();
    expect(lines.findIndex((line) => line.event === 'stopping')).toBeGreaterThan(inTry(lines));
    expect(speed.logLines().filter((line) => line.level === 'error')).toEqual([]);
  }, 120_000);
});
