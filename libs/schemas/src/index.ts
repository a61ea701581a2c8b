export { SchemaIncompatibleError, SchemaRegistryError } from './errors';
export { SchemaRegistryClient, type Compatibility } from './registry/schema-registry-client';
export {
  USER_EVENTS_SUBJECT,
  USER_EVENTS_TOPIC,
  loadAvsc,
  userEventSchemas,
  type AvroField,
  type AvroRecordSchema,
  type UserEvent,
  type UserEventV1,
  type UserEventV2,
} from './user-event';
