import { USER_EVENTS_SUBJECT, userEventSchemas } from '../user-event';
import type { SchemaRegistryClient } from './schema-registry-client';

export interface UserEventSchemaIds {
  /** registry id per UserEvent version (1, 2, ...) */
  byVersion: Map<number, number>;
  latest: number;
}

/**
 * Start-up registration: sets the subject to BACKWARD and registers every UserEvent version, oldest first
 * (registering an already-registered schema returns its id, so this is idempotent).
 */
export async function registerUserEventSchemas(
  registry: SchemaRegistryClient,
  subject = USER_EVENTS_SUBJECT,
): Promise<UserEventSchemaIds> {
  await registry.setCompatibility(subject, 'BACKWARD');
  const byVersion = new Map<number, number>();
  for (const [index, schema] of userEventSchemas().entries()) {
    byVersion.set(index + 1, await registry.register(subject, schema));
  }
  return { byVersion, latest: byVersion.get(byVersion.size)! };
}
