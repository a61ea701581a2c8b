import {
  EnvReader,
  logLevelFromEnv,
  loadStackSettings,
  type LogLevel,
  type StackConfig,
  type StackDependency,
} from '@lk/common';

/** Everything a service reads from its environment, validated once, before anything starts. */
export interface ServiceConfig {
  /** lower-case service name; also the prefix of its variables, e.g. SPEED_PORT */
  service: string;
  host: string;
  port: number;
  logLevel: LogLevel;
  dependencies: readonly StackDependency[];
  /** the settings of the components in `dependencies`, and only those */
  stack: Partial<StackConfig>;
  /** per dependency check, in milliseconds (HEALTH_TIMEOUT_MS) */
  healthTimeoutMs: number;
  /**
   * how long start-up keeps trying again while a dependency does not answer, in milliseconds
   * (STARTUP_DEPENDENCY_WAIT_MS; 0: not at all)
   */
  startupWaitMs: number;
}

export function loadServiceConfig(
  service: string,
  defaultPort: number,
  dependencies: readonly StackDependency[],
  env: Record<string, string | undefined> = process.env,
): ServiceConfig {
  const read = new EnvReader(env);
  const prefix = service.toUpperCase();
  return {
    service,
    logLevel: logLevelFromEnv(env),
    port: read.integer(`${prefix}_PORT`, defaultPort, { min: 0, max: 65535 }),
    host: read.string(`${prefix}_HOST`, '127.0.0.1'),
    dependencies,
    stack: loadStackSettings(dependencies, env),
    healthTimeoutMs: read.integer('HEALTH_TIMEOUT_MS', 2_000, { min: 1, max: 60_000 }),
    startupWaitMs: read.integer('STARTUP_DEPENDENCY_WAIT_MS', 300_000, { min: 0, max: 86_400_000 }),
  };
}
