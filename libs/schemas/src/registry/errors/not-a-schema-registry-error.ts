import { SchemaRegistryError } from './schema-registry-error';

/**
 * The URL answers, but not as a schema registry (404 for GET /subjects, an HTML page, ...). Without this
 * check every subject looks "not registered yet" and an incompatible schema passes the gate.
 */
export class NotASchemaRegistryError extends SchemaRegistryError {
  override readonly name = 'NotASchemaRegistryError';
  constructor(
    readonly registryUrl: string,
    detail: string,
    status?: number,
  ) {
    super(
      `${registryUrl} is not a schema registry: GET ${registryUrl}/subjects ${detail} ` +
        '(expected a JSON array of subject names; check SCHEMA_REGISTRY_URL)',
      status,
    );
  }
}
