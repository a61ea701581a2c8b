/** How deep a chain of causes (or an AggregateError's errors) is followed; a cycle or a long chain stops here. */
const MAX_DEPTH = 5;
/** An AggregateError can carry thousands of errors; a log line keeps the first few. */
const MAX_AGGREGATED = 10;

export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
  code?: unknown;
  cause?: unknown;
  errors?: unknown[];
  [field: string]: unknown;
}

/**
 * An Error as plain JSON: name, message, stack, its own enumerable fields (pg's `code`, kafkajs's `retriable`)
 * and its cause, recursively. JSON.stringify alone turns an Error into `{}`, which hides why something failed.
 */
export function serializeError(error: Error, depth = 0): SerializedError {
  const out: SerializedError = { name: error.name, message: error.message };
  if (error.stack !== undefined) out.stack = error.stack;
  for (const [field, value] of Object.entries(error)) {
    if (field === 'cause' || field === 'errors' || field in out) continue;
    out[field] = value instanceof Error ? nested(value, depth) : value;
  }
  if (error.cause !== undefined) out.cause = nested(error.cause, depth);
  if (error instanceof AggregateError && Array.isArray(error.errors)) {
    out.errors = error.errors.slice(0, MAX_AGGREGATED).map((inner: unknown) => nested(inner, depth));
  }
  return out;
}

function nested(value: unknown, depth: number): unknown {
  if (!(value instanceof Error)) return value;
  if (depth + 1 >= MAX_DEPTH) return { name: value.name, message: value.message, truncated: true };
  return serializeError(value, depth + 1);
}
