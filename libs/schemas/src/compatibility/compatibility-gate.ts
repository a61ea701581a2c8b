import type { SchemaRegistryClient } from '../registry/schema-registry-client';
import type { AvroRecordSchema } from '../user-event';
import { explainIncompatibilities } from './explain-incompatibilities';

export interface GateVerdict {
  subject: string;
  /** new-subject: nothing registered yet, so nothing to break */
  status: 'compatible' | 'incompatible' | 'new-subject';
  registryVersion?: number;
  compatibility?: string;
  problems: string[];
}

/**
 * Checks a local schema against the registry's latest version of its subject before anything is deployed:
 * the registry's own verdict under the subject's compatibility level, plus both-direction resolution
 * (see explainIncompatibilities) for the field-by-field explanation.
 */
export class CompatibilityGate {
  private registryVerified?: Promise<unknown>;

  constructor(private readonly registry: SchemaRegistryClient) {}

  async check(subject: string, schema: AvroRecordSchema): Promise<GateVerdict> {
    // "new subject" comes from a 404, and a URL that is not a registry answers 404 to everything: without
    // this proof (GET /subjects answers a list) every schema would pass as new. NotASchemaRegistryError.
    this.registryVerified ??= this.registry.subjects();
    await this.registryVerified;
    const latest = await this.registry.latestSchema(subject);
    if (!latest) return { subject, status: 'new-subject', problems: [] };
    const compatibility = await this.registry.compatibilityOf(subject);
    const registryReasons = await this.registry.incompatibilities(subject, schema);
    const problems = explainIncompatibilities(latest.schema, schema);
    if (registryReasons && problems.length === 0) {
      problems.push(
        `the registry rejects it under ${compatibility}` +
          (registryReasons.length ? `: ${registryReasons.join('; ')}` : ''),
      );
    }
    return {
      subject,
      status: problems.length ? 'incompatible' : 'compatible',
      registryVersion: latest.version,
      compatibility,
      problems,
    };
  }
}
