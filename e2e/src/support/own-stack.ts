import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(__dirname, '..', '..', '..');

/** The ports of a stack of a suite's own: apart from the shared stack's and from every other suite's. */
export interface OwnStackPorts {
  kafka: number;
  kafkaController: number;
  registry: number;
  registryManagement: number;
  /** A PostgreSQL cluster of the stack's own on this port (POSTGRES_OWN=1) instead of the machine's. */
  postgres?: number;
}

/**
 * The stack the fault suites (chaos, speed faults) share: run one after another in the project e2e-own-stack,
 * they restart its broker and PostgreSQL, never anyone else's.
 */
/**
 * The JIT and GC of the brokers the suites start for themselves (fault stack, isolated stacks, the 3-node
 * cluster): C1 only and the serial collector. A broker's start under C2 compiles for ~20 CPU seconds, on a
 * machine of 2 cores shared with the other suites; test volumes never need C2's peak throughput.
 */
export const TEST_BROKER_JVM_OPTS = '-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:CICompilerCount=1';

export const FAULT_STACK_PORTS: OwnStackPorts = {
  kafka: 29292,
  kafkaController: 29293,
  registry: 28281,
  registryManagement: 29200,
  postgres: 25452,
};

/**
 * A native stack of a suite's own (its own STACK_DIR, broker and registry; the machine's PostgreSQL, or one of
 * its own with `ports.postgres`, and Redis), for suites that restart the broker or PostgreSQL: they may stop
 * only what they started, whoever started the shared one. `env` is what a SpeedScenario and the processes it
 * starts are given to use it.
 */
export class OwnStack {
  readonly env: Record<string, string>;
  private readonly postgresPort: string;

  /**
   * @param name the temporary STACK_DIR's prefix (`lk-<name>-stack-`)
   * @param stackDir a fixed STACK_DIR instead (to keep its logs after a run)
   * @param env more settings for the processes that use it
   */
  constructor(name: string, ports: OwnStackPorts, stackDir?: string, env: Record<string, string> = {}) {
    this.env = {
      STACK_DIR: stackDir ?? mkdtempSync(join(tmpdir(), `lk-${name}-stack-`)),
      KAFKA_PORT: String(ports.kafka),
      KAFKA_CONTROLLER_PORT: String(ports.kafkaController),
      KAFKA_BROKERS: `127.0.0.1:${ports.kafka}`,
      REGISTRY_PORT: String(ports.registry),
      REGISTRY_MANAGEMENT_PORT: String(ports.registryManagement),
      SCHEMA_REGISTRY_URL: `http://127.0.0.1:${ports.registry}`,
      // a JVM may take minutes to start while other suites load the machine
      STACK_TIMEOUT: '300',
      KAFKA_JVM_OPTS: TEST_BROKER_JVM_OPTS,
      ...(ports.postgres === undefined
        ? {}
        : {
            POSTGRES_OWN: '1',
            PGHOST: '127.0.0.1',
            PGPORT: String(ports.postgres),
            DATABASE_URL: `postgres://postgres@127.0.0.1:${ports.postgres}/lambdakappa`,
          }),
      ...env,
    };
    this.postgresPort = this.env.PGPORT ?? process.env.PGPORT ?? '5432';
  }

  /**
   * `infra/local/stack.sh <command>` on this stack (up, down, restart-broker, restart-postgres); throws with
   * its output when it fails.
   */
  run(command: 'up' | 'down' | 'restart-broker' | 'restart-postgres'): void {
    execFileSync('bash', [resolve(root, 'infra/local/stack.sh'), command], {
      stdio: 'pipe',
      timeout: 300_000,
      env: { ...process.env, ...this.env },
    });
  }

  /**
   * Restarts the stack's PostgreSQL (its own cluster with `ports.postgres`, else the machine's); whatever
   * happens, waits until it answers again, which everything after the calling test relies on.
   */
  restartPostgres(): void {
    try {
      this.run('restart-postgres');
    } finally {
      execFileSync('pg_isready', ['-h', '127.0.0.1', '-p', this.postgresPort, '-t', '60']);
    }
  }
}
