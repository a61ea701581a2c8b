import { ConfigError } from '@lk/common';

/**
 * A pipeline reads a path its source's schema does not have, or has with a type the reading cannot use: a
 * configuration mistake (of PIPELINES_FILE), so start-up stops with exit 1 and one line naming the pipeline,
 * the path, what the schema holds there and which version it is.
 */
export class PipelineSchemaError extends ConfigError {
  constructor(
    readonly pipeline: string,
    readonly pipelineField: string,
    readonly path: string,
    readonly expected: string,
    readonly found: string,
    readonly schema: string,
  ) {
    super(
      'PIPELINES_FILE',
      `pipeline "${pipeline}": ${pipelineField} "${path}": expected ${expected}, found ${found} in ${schema}`,
    );
  }
}
