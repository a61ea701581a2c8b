import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { DynamicModule, INestApplication, Type } from '@nestjs/common';
import { ConfigError, Logger, type StackDependency } from '@lk/common';
import { loadServiceConfig, type ServiceConfig } from '../config/service-config';
import { HEALTH_INDICATOR_TYPES } from '../health/indicators/health-indicator-types';
import { DependencyWait } from './dependency-wait';
import { NestJsonLogger } from '../logging/nest-json-logger';
import { ServiceModule } from './service.module';

export interface ServiceDefinition {
  /** lower-case service name; also the prefix of its variables, e.g. SPEED_PORT */
  name: string;
  /**
   * The service's own module, or a function building it: that runs inside start-up, so a ConfigError from
   * the service's own settings stops start-up the same way as one from the common settings.
   */
  module: Type<unknown> | DynamicModule | { build: () => DynamicModule };
  defaultPort: number;
  /** the stack components the service talks to: their settings are validated and /health checks them */
  dependencies: readonly StackDependency[];
  /** app-wide setup before it listens: global pipes and filters, OpenAPI documents */
  configure?: (app: INestApplication) => void | Promise<void>;
}

/**
 * Starts a service's NestJS app on <NAME>_HOST:<NAME>_PORT. Configuration (port, LOG_LEVEL, the settings of
 * the declared dependencies) is validated here, once, before Nest starts: a bad value stops start-up with exit
 * code 1 and one JSON line naming the variable. A start that fails while a dependency does not answer is
 * tried again until STARTUP_DEPENDENCY_WAIT_MS has passed (see DependencyWait).
 */
export function bootstrapService(
  definition: ServiceDefinition,
  env: Record<string, string | undefined> = process.env,
): void {
  run(definition, env).catch((error: unknown) => {
    // explicit level: LOG_LEVEL itself may be what is wrong
    // a configuration mistake is the user's to fix: the variable and the problem, no stack trace
    const fields: Record<string, unknown> =
      error instanceof ConfigError ? { variable: error.field, problem: error.problem } : { error };
    new Logger(definition.name, {}, 'error').error('start-up failed', fields);
    process.exit(1);
  });
}

async function run(definition: ServiceDefinition, env: Record<string, string | undefined>): Promise<void> {
  const config = loadServiceConfig(definition.name, definition.defaultPort, definition.dependencies, env);
  const logger = new Logger(definition.name, {}, config.logLevel);
  let app: INestApplication | undefined;
  // Nest's enableShutdownHooks re-raises the signal after closing, so the exit code would say "killed";
  // a requested stop that completed is a success: close (providers flush and leave their groups), exit 0
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      logger.info('stopping', { signal });
      // waiting for a dependency between tries: nothing started, nothing to finish
      if (app === undefined) process.exit(0);
      app.close().then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error('stop failed', { error });
          process.exit(1);
        },
      );
    });
  }
  const indicators = config.dependencies.map((dependency) => new HEALTH_INDICATOR_TYPES[dependency](config));
  const wait = new DependencyWait(config, indicators, logger);
  for (;;) {
    try {
      await start(definition, config, logger, (created) => (app = created));
      break;
    } catch (error) {
      app = undefined;
      if (error instanceof ConfigError) throw error;
      const delayMs = await wait.delayAfter(error);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
  wait.started();
  logger.info('service started', { url: await app!.getUrl(), dependencies: config.dependencies });
}

/**
 * One try: the app created (handed to `created` at once, so that a stop during its start closes it) and
 * listening, or what it opened closed again and the error thrown.
 */
async function start(
  definition: ServiceDefinition,
  config: ServiceConfig,
  logger: Logger,
  created: (app: INestApplication) => void,
): Promise<void> {
  const module = 'build' in definition.module ? definition.module.build() : definition.module;
  const app = await NestFactory.create(ServiceModule.forRoot(module, config), {
    // Nest's own lines go through the JSON logger from the first one; buffered until the logger is attached
    logger: new NestJsonLogger(logger),
    bufferLogs: true,
    // Nest's default on an initialization error is process.abort(): no exit code 1, no readable line
    abortOnError: false,
  });
  created(app);
  try {
    await definition.configure?.(app);
    await app.listen(config.port, config.host);
  } catch (error) {
    // the providers that did start (pools, clients) are stopped before the next try opens new ones
    await Promise.race([
      app.close().catch(() => undefined),
      new Promise((resolve) => setTimeout(resolve, 10_000)),
    ]);
    throw error;
  }
}
