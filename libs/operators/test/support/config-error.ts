import { PipelineConfigError, validatePipelines } from '../../src';

/** The PipelineConfigError that validating `document` raises; fails the test when it raises none. */
export function configErrorOf(document: unknown): PipelineConfigError {
  try {
    validatePipelines(document);
  } catch (error) {
    if (error instanceof PipelineConfigError) return error;
    throw error;
  }
  throw new Error('expected a PipelineConfigError');
}
