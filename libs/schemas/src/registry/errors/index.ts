export { SchemaIncompatibleError } from './schema-incompatible-error';
export { SchemaRegistryError } from './schema-registry-error';
