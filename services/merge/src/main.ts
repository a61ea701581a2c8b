import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { EnvReader, Logger } from '@lk/common';
import { AppModule } from './app.module';

async function bootstrap(): Promise<void> {
  const logger = new Logger('merge');
  // configuration is validated here, once: a bad value stops start-up naming the variable
  const env = new EnvReader();
  const port = env.integer('MERGE_PORT', 3004, { min: 0, max: 65535 });
  const host = env.string('MERGE_HOST', '127.0.0.1');
  const app = await NestFactory.create(AppModule, { logger: ['error', 'warn'] });
  app.enableShutdownHooks();
  await app.listen(port, host);
  logger.info('service started', { url: await app.getUrl() });
}

bootstrap().catch((error: unknown) => {
  process.stderr.write(`merge failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
