import { SchemaRegistryError } from './schema-registry-error';

/**
 * The registry cannot vouch for a verdict about a schema id: the reader's subject has no versions there (an
 * empty or just-restarted in-memory registry, or a URL that is not the registry: a typo, a proxy path).
 * Deliberately not a RecordDecodeError: the record is probably fine, so the batch fails and is retried rather
 * than every good record being dead-lettered and committed.
 */
export class RegistryNotReadyError extends SchemaRegistryError {
  override readonly name = 'RegistryNotReadyError';
  constructor(
    readonly registryUrl: string,
    readonly subject: string,
    readonly schemaId: number,
    verdict: string,
  ) {
    super(
      `schema id ${schemaId} ${verdict}, but the schema registry at ${registryUrl} has no versions of subject ` +
        `"${subject}", so it cannot be trusted (empty or restarting registry, or a wrong URL); retrying`,
    );
  }
}
