#!/usr/bin/env node
import { Logger, loadStackConfig, runCli } from '@lk/common';
import { registerUserEventSchemas } from '../registry/register-user-event-schemas';
import { SchemaRegistryClient } from '../registry/schema-registry-client';
import { USER_EVENTS_SUBJECT } from '../user-event';

/**
 * Registers the contract schemas (UserEvent v1, v2 under user-events-value, BACKWARD). stack:up runs it right
 * after starting the registry: the native registry keeps schemas in memory, and registering the contracts
 * first, in order, gives them the same ids after every restart, so records already in Kafka stay decodable.
 */
async function main(): Promise<void> {
  // every setting first (the logger validates LOG_LEVEL): a bad one is refused before the registry is touched
  const logger = new Logger('schemas');
  const registry = new SchemaRegistryClient(loadStackConfig().schemaRegistryUrl);
  const ids = await registerUserEventSchemas(registry);
  logger.info('contract schemas registered', {
    subject: USER_EVENTS_SUBJECT,
    idsByVersion: Object.fromEntries(ids.byVersion),
  });
}

void runCli(main, { name: 'lk-register-schemas', failurePrefix: 'schema registration failed' });
