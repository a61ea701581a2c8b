export { SchemaIncompatibleError } from './schema-incompatible-error';
export { SchemaRegistryError } from './schema-registry-error';
export { RegistryNotReadyError } from './registry-not-ready-error';
export { NotASchemaRegistryError } from './not-a-schema-registry-error';
export { RegistryTimeoutError } from './registry-timeout-error';
