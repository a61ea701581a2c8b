export {
  NotASchemaRegistryError,
  RegistryNotReadyError,
  RegistryTimeoutError,
  SchemaIncompatibleError,
  SchemaRegistryError,
} from './registry/errors';
export { SchemaRegistryClient, type Compatibility } from './registry/schema-registry-client';
export {
  REGISTRY_REQUEST_HEADERS,
  registryAgentFor,
  registryRequest,
  type RegistryHttpResponse,
} from './registry/registry-http';
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
export {
  AvroItemLimitError,
  AvroLengthExceedsBodyError,
  IncompatibleWriterSchemaError,
  MalformedJsonError,
  UserEventValidationError,
  MalformedAvroError,
  NullValueError,
  OversizeRecordError,
  RecordDecodeError,
  TruncatedRecordError,
  UnknownSchemaIdError,
  WrongMagicByteError,
} from './decoding/errors';
export {
  AvroRecordDecoder,
  type AvroRecordDecoderOptions,
  type DecodedRecord,
  type WriterSchemaRegistry,
} from './decoding/avro-record-decoder';
export {
  SubjectRecordDecoder,
  type SubjectReader,
  type SubjectRecordDecoderOptions,
  type SubjectRegistry,
} from './decoding/subject-record-decoder';
export { JsonRecordDecoder, type JsonRecordDecoderOptions } from './decoding/json-record-decoder';
export { EPOCH_MILLIS_LOGICAL_TYPES } from './decoding/timestamp-types';
export {
  createUserEventDecoder,
  validateUserEvent,
  type UserEventDecoderOptions,
} from './decoding/user-event-decoder';
export { CompatibilityGate, type GateVerdict } from './compatibility/compatibility-gate';
export { explainIncompatibilities } from './compatibility/explain-incompatibilities';
export { localContracts, type LocalContract } from './compatibility/local-contracts';
export { InvalidContractFileError } from './compatibility/errors';
export { registerUserEventSchemas, type UserEventSchemaIds } from './registry/register-user-event-schemas';
