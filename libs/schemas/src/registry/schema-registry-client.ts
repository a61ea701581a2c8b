import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { NotASchemaRegistryError, SchemaIncompatibleError, SchemaRegistryError } from './errors';
import { registryAgentFor, registryRequest } from './registry-http';
import type { Type as AvroType } from 'avsc';
import type { AvroRecordSchema } from '../user-event';

/** how long one registry request may take before it fails as unreachable, unless the caller says otherwise */
const REQUEST_TIMEOUT_MS = 10_000;

export type Compatibility = 'BACKWARD' | 'BACKWARD_TRANSITIVE' | 'FORWARD' | 'FULL' | 'NONE';

/**
 * Confluent-compatible registry client (Confluent Schema Registry, or Apicurio's ccompat API).
 * Encoding and schemas by id go through @kafkajs/confluent-schema-registry, which caches schemas by id, so
 * there is no registry round trip per message; subject configuration and compatibility checks use the REST API.
 */
export class SchemaRegistryClient {
  private readonly registry: SchemaRegistry;
  private readonly apiBase: string;
  private readonly timeoutMs: number;

  /**
   * @param url the registry base URL, e.g. http://127.0.0.1:8081 (the Apicurio ccompat path is added)
   * @param options.timeoutMs how long one request may take before it fails as unreachable (default 10 s)
   */
  constructor(url: string, options: { timeoutMs?: number } = {}) {
    this.timeoutMs = options.timeoutMs ?? REQUEST_TIMEOUT_MS;
    this.apiBase = SchemaRegistryClient.confluentApiBase(url);
    // the library's requests get the same connection-per-request agent and time-out as ours (it has none)
    this.registry = new SchemaRegistry({
      host: this.apiBase,
      agent: registryAgentFor(this.apiBase),
      middlewares: [timeoutMiddleware(this.timeoutMs)],
    });
  }

  /** Apicurio serves the Confluent API under /apis/ccompat/v7; a Confluent registry serves it at the root. */
  static confluentApiBase(url: string): string {
    const trimmed = url.replace(/\/+$/, '');
    return /\/apis\/ccompat\/v\d+$/.test(trimmed) || process.env.SCHEMA_REGISTRY_FLAVOR === 'confluent'
      ? trimmed
      : `${trimmed}/apis/ccompat/v7`;
  }

  /** The Confluent API base this client talks to (for messages that must name it). */
  get url(): string {
    return this.apiBase;
  }

  /**
   * Every subject, and proof that the URL is a registry at all: anything but a JSON array of names (a 404 from
   * a typo or proxy path, an HTML page) raises NotASchemaRegistryError naming the URL.
   */
  async subjects(): Promise<string[]> {
    const response = await this.request('GET', '/subjects', undefined, [404]);
    const body = response.body;
    if (response.status === 404)
      throw new NotASchemaRegistryError(this.apiBase, 'answered 404', response.status);
    if (!Array.isArray(body) || body.some((subject) => typeof subject !== 'string')) {
      throw new NotASchemaRegistryError(
        this.apiBase,
        `answered ${JSON.stringify(body)?.slice(0, 120) ?? 'nothing'}`,
        response.status,
      );
    }
    return body as string[];
  }

  /**
   * The versions registered under a subject; null when the registry does not answer with a list (subject
   * missing, or the URL is not really the registry). Unreachable or failing registries throw.
   */
  async subjectVersions(subject: string): Promise<number[] | null> {
    const response = await this.request(
      'GET',
      `/subjects/${encodeURIComponent(subject)}/versions`,
      undefined,
      [404],
    );
    return Array.isArray(response.body) && response.body.every((v) => typeof v === 'number')
      ? (response.body as number[])
      : null;
  }

  /**
   * The subjects a schema id is registered under (GET /schemas/ids/{id}/versions, Confluent 5.5+ and
   * Apicurio's ccompat); null when the registry cannot say (an older registry without the endpoint, or one
   * whose ACLs forbid it): the check it serves is an extra guard, so it must not stop consumption.
   */
  async subjectsOfId(schemaId: number): Promise<string[] | null> {
    const cannotSay = [403, 404, 405, 501];
    const response = await this.request('GET', `/schemas/ids/${schemaId}/versions`, undefined, cannotSay);
    if (cannotSay.includes(response.status) || !Array.isArray(response.body)) return null;
    return (response.body as { subject?: unknown }[])
      .map((entry) => entry.subject)
      .filter((subject): subject is string => typeof subject === 'string');
  }

  async setCompatibility(subject: string, compatibility: Compatibility): Promise<void> {
    await this.request('PUT', `/config/${encodeURIComponent(subject)}`, { compatibility });
  }

  /**
   * Registers a schema under a subject; the registry checks it against the subject's compatibility rule
   * and an incompatible schema raises SchemaIncompatibleError with the registry's reasons, made readable.
   */
  async register(subject: string, schema: AvroRecordSchema): Promise<number> {
    const response = await this.request(
      'POST',
      `/subjects/${encodeURIComponent(subject)}/versions`,
      { schema: JSON.stringify(schema), schemaType: 'AVRO' },
      [409, 422],
    );
    if (response.status === 409 || response.status === 422) {
      const message = (response.body as { message?: string } | undefined)?.message ?? String(response.body);
      throw new SchemaIncompatibleError(subject, await this.compatibilityOf(subject), [
        describeViolation(message, schema),
      ]);
    }
    return (response.body as { id: number }).id;
  }

  /** null when compatible (or the subject is new); otherwise the registry's reasons. */
  async incompatibilities(subject: string, schema: AvroRecordSchema): Promise<string[] | null> {
    const response = await this.request(
      'POST',
      `/compatibility/subjects/${encodeURIComponent(subject)}/versions/latest?verbose=true`,
      { schema: JSON.stringify(schema), schemaType: 'AVRO' },
      [404],
    );
    if (response.status === 404) return null;
    const body = response.body as { is_compatible?: boolean; messages?: unknown[] };
    if (body.is_compatible !== false) return null;
    return (body.messages ?? []).map((message) => String(message));
  }

  async compatibilityOf(subject: string): Promise<string> {
    const own = await this.request('GET', `/config/${encodeURIComponent(subject)}`, undefined, [404]);
    const level = (own.body as { compatibilityLevel?: string } | undefined)?.compatibilityLevel;
    if (own.status !== 404 && level) return level;
    const global = await this.request('GET', '/config');
    return (global.body as { compatibilityLevel?: string }).compatibilityLevel ?? 'BACKWARD';
  }

  /** The latest registered version of a subject, or null when the subject does not exist. */
  async latestSchema(
    subject: string,
  ): Promise<{ version: number; id: number; schema: AvroRecordSchema } | null> {
    const response = await this.request(
      'GET',
      `/subjects/${encodeURIComponent(subject)}/versions/latest`,
      undefined,
      [404],
    );
    if (response.status === 404) return null;
    const body = response.body as { version: number; id: number; schema: string };
    return { version: body.version, id: body.id, schema: JSON.parse(body.schema) as AvroRecordSchema };
  }

  /**
   * The Avro type registered under a schema id (cached by the registry library), or null when the registry
   * does not know the id. Other failures (registry unreachable) throw, so callers retry rather than drop.
   */
  async writerType(schemaId: number): Promise<AvroType | null> {
    try {
      return (await this.registry.getSchema(schemaId)) as unknown as AvroType;
    } catch (error) {
      const status = (error as { status?: number }).status;
      if (status === 404 || /40403|not found/i.test((error as Error).message)) return null;
      throw new SchemaRegistryError(
        `fetching schema id ${schemaId} failed: ${(error as Error).message}`,
        status,
      );
    }
  }

  /** Confluent wire format: magic byte 0, 4-byte schema id, Avro body. */
  async encode(schemaId: number, value: object): Promise<Buffer> {
    return this.registry.encode(schemaId, value);
  }

  /**
   * Decodes with the writer schema named by the message's id, as written (tools and tests that check what a
   * producer wrote). Consumers use AvroRecordDecoder, which reads every version into the newest.
   */
  async decode<T>(message: Buffer): Promise<T> {
    return (await this.registry.decode(message)) as T;
  }

  async deleteSubject(subject: string): Promise<void> {
    await this.request('DELETE', `/subjects/${encodeURIComponent(subject)}`, undefined, [404]);
    await this.request('DELETE', `/subjects/${encodeURIComponent(subject)}?permanent=true`, undefined, [404]);
  }

  private async request(
    method: string,
    path: string,
    body?: unknown,
    acceptedErrors: number[] = [],
  ): Promise<{ status: number; body: unknown }> {
    let response: { status: number; text: string };
    try {
      response = await registryRequest(this.apiBase + path, {
        method,
        headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        // a registry that accepts the connection but never answers must not freeze the caller
        timeoutMs: this.timeoutMs,
      });
    } catch (error) {
      throw new SchemaRegistryError(
        `schema registry at ${this.apiBase} is unreachable: ${(error as Error).message}`,
      );
    }
    const text = response.text;
    const parsed: unknown = text ? safeJson(text) : undefined;
    const ok = response.status >= 200 && response.status < 300;
    if (!ok && !acceptedErrors.includes(response.status)) {
      throw new SchemaRegistryError(`${method} ${path} -> ${response.status}: ${text}`, response.status);
    }
    return { status: response.status, body: parsed };
  }
}

/**
 * Registry messages name fields by JSON pointer (/fields/3/type) and carry Java exception class names;
 * replace the pointer with the field's name and drop the class, so a person can act on it.
 */
function describeViolation(message: string, schema: AvroRecordSchema): string {
  return message
    .replace(/^[\w.]+(Exception|Error):\s*/, '')
    .replace(/\/fields\/(\d+)(\/\w+)?/g, (pointer: string, index: string) => {
      const field = schema.fields[Number(index)];
      return field ? `field "${field.name}" (${pointer})` : pointer;
    });
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** A mappersmith middleware bounding every request of the registry library (it waits forever by default). */
type Middleware = NonNullable<ConstructorParameters<typeof SchemaRegistry>[0]['middlewares']>[number];
function timeoutMiddleware(timeoutMs: number): Middleware {
  return () => ({
    prepareRequest: async (next) => (await next()).enhance({ timeout: timeoutMs }),
  });
}
