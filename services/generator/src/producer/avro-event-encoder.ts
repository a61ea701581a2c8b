import {
  registerUserEventSchemas,
  type SchemaRegistryClient,
  type UserEventV1,
  type UserEventV2,
} from '@lk/schemas';
import type { SchemaVersion } from '../generator/generated-event';

/**
 * Encodes events in the Confluent wire format with the schema id of their version: v1 events with v1's id,
 * v2 events with v2's id, so consumers meet both writer schemas on one topic.
 */
export class AvroEventEncoder {
  private constructor(
    private readonly registry: SchemaRegistryClient,
    readonly subject: string,
    readonly schemaIds: Readonly<Record<SchemaVersion, number>>,
  ) {}

  /**
   * Sets the subject's compatibility to BACKWARD (the contract) and registers v1 then v2; registering a
   * schema the subject already has returns its existing id, so this is safe on every run.
   */
  static async register(registry: SchemaRegistryClient, subject: string): Promise<AvroEventEncoder> {
    const { byVersion } = await registerUserEventSchemas(registry, subject);
    return new AvroEventEncoder(registry, subject, { 1: byVersion.get(1)!, 2: byVersion.get(2)! });
  }

  /** No registry round trip: the registry client caches schemas by id after the first use. */
  async encode(event: UserEventV1 | UserEventV2, version: SchemaVersion): Promise<Buffer> {
    return this.registry.encode(this.schemaIds[version], event);
  }
}
