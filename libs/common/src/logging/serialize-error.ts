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
 * A field holding an instance of some class (pg puts the whole `client` on the error of a dropped idle
 * connection: its parser, socket and type tables, some 4 kB) is named, not written out: `"[Client]"`.
 */
export function serializeError(error: Error, depth = 0): SerializedError {
  const out: SerializedError = { name: error.name, message: error.message };
  if (error.stack !== undefined) out.stack = error.stack;
  for (const [field, value] of Object.entries(error)) {
    if (field === 'cause' || field === 'errors' || field in out) continue;
    out[field] = value instanceof Error ? nested(value, depth) : summarized(value);
  }
  if (error.cause !== undefined) out.cause = nested(error.cause, depth);
  if (error instanceof AggregateError && Array.isArray(error.errors)) {
    out.errors = error.errors.slice(0, MAX_AGGREGATED).map((inner: unknown) => nested(inner, depth));
  }
  return out;
}

function summarized(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? String(value) : value.toISOString();
  const prototype = Object.getPrototypeOf(value) as object | null;
  if (prototype === Object.prototype || prototype === null) return value;
  return `[${(prototype.constructor as { name?: string } | undefined)?.name || 'object'}]`;
}

function nested(value: unknown, depth: number): unknown {
  if (!(value instanceof Error)) return value;
  if (depth + 1 >= MAX_DEPTH) return { name: value.name, message: value.message, truncated: true };
  return serializeError(value, depth + 1);
}
