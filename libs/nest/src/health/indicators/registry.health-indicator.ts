import { Inject, Injectable } from '@nestjs/common';
import { REGISTRY_REQUEST_HEADERS, SchemaRegistryClient } from '@lk/schemas';
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
    let response: Response;
    try {
      response = await fetch(url, {
        headers: REGISTRY_REQUEST_HEADERS,
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      if (error instanceof DOMException && error.name === 'TimeoutError') {
        throw new Error(`registry did not answer within ${timeoutMs} ms`, { cause: error });
      }
      throw error;
    }
    const body = await response.text();
    if (!response.ok) throw new Error(`GET ${url} answered ${response.status}`);
    let subjects: unknown;
    try {
      subjects = JSON.parse(body);
    } catch {
      subjects = undefined;
    }
    if (!Array.isArray(subjects)) throw new Error(`GET ${url} did not answer a subject list`);
  }
}
