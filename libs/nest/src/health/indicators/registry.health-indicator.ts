import { Inject, Injectable } from '@nestjs/common';
import { RegistryTimeoutError, registryRequest, SchemaRegistryClient } from '@lk/schemas';
import { SERVICE_CONFIG } from '../../config/service-config.module';
import type { ServiceConfig } from '../../config/service-config';
import type { HealthIndicator } from '../health-indicator';

/**
 * GET /subjects on the Confluent API the decoders use. A URL that answers 404, or 200 with something other than
 * a subject list (a proxy page), is a failing registry: decoding against it would dead-letter good records.
 */
@Injectable()
export class RegistryHealthIndicator implements HealthIndicator {
  readonly name = 'registry';

  constructor(@Inject(SERVICE_CONFIG) private readonly config: ServiceConfig) {}

  async check(timeoutMs: number): Promise<void> {
    const url = `${SchemaRegistryClient.confluentApiBase(this.config.stack.schemaRegistryUrl!)}/subjects`;
    // a connection of its own, bounded: the same request path as the decoders' (see registry-http.ts)
    const response = await registryRequest(url, { timeoutMs }).catch((error: unknown) => {
      if (error instanceof RegistryTimeoutError)
        throw new Error(`registry did not answer within ${timeoutMs} ms`, { cause: error });
      throw error;
    });
    if (response.status < 200 || response.status >= 300)
      throw new Error(`GET ${url} answered ${response.status}`);
    let subjects: unknown;
    try {
      subjects = JSON.parse(response.text);
    } catch {
      subjects = undefined;
    }
    if (!Array.isArray(subjects)) throw new Error(`GET ${url} did not answer a subject list`);
  }
}
