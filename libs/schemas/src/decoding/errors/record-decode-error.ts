/**
 * Why a record could not be decoded. These are properties of the record itself, so retrying cannot help:
 * the record goes to the dead-letter queue with the error's name and message. Anything else (registry
 * down, network) is not a RecordDecodeError and must make the consumer retry instead.
 */
export abstract class RecordDecodeError extends Error {
  abstract readonly reason: string;
}
