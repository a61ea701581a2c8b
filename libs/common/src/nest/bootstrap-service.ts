import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { DynamicModule, Type } from '@nestjs/common';
import { EnvReader } from '../config/env-reader';
import { Logger } from '../logging/logger';

export interface ServiceDefinition {
  /** lower-case service name; also the prefix of its variables, e.g. SPEED_PORT */
  name: string;
  module: Type<unknown> | DynamicModule;
  defaultPort: number;
}

/**
 * Starts a service's NestJS app on <NAME>_HOST:<NAME>_PORT. Configuration is validated here, once: a bad
 * value stops start-up with exit code 1 and a message naming the variable.
 */
export function bootstrapService(
  definition: ServiceDefinition,
  env: Record<string, string | undefined> = process.env,
): void {
  const logger = new Logger(definition.name);
  const start = async (): Promise<void> => {
    const read = new EnvReader(env);
    const prefix = definition.name.toUpperCase();
    const port = read.integer(`${prefix}_PORT`, definition.defaultPort, { min: 0, max: 65535 });
    const host = read.string(`${prefix}_HOST`, '127.0.0.1');
    const app = await NestFactory.create(definition.module, { logger: ['error', 'warn'] });
    app.enableShutdownHooks();
    await app.listen(port, host);
    logger.info('service started', { url: await app.getUrl() });
  };
  start().catch((error: unknown) => {
    process.stderr.write(
      `${definition.name} failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(1);
  });
}
