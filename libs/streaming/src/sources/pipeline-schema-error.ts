/**
 * A pipeline reads a path its source's schema does not have, or has with a type the reading cannot use: the
 * service refuses to start, naming the pipeline, the path, what the schema holds there and which version.
 */
export class PipelineSchemaError extends Error {
  override readonly name = 'PipelineSchemaError';

  constructor(
    readonly pipeline: string,
    readonly field: string,
    readonly path: string,
    readonly expected: string,
    readonly found: string,
    readonly schema: string,
  ) {
    super(`pipeline "${pipeline}": ${field} "${path}": expected ${expected}, found ${found} in ${schema}`);
  }
}
