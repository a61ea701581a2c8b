/** A job id (a pipeline version) already ran with another definition: versions are immutable. */
export class JobDefinitionConflictError extends Error {
  override readonly name = 'JobDefinitionConflictError';
  constructor(
    readonly jobId: string,
    readonly differences: string[],
  ) {
    super(
      `${jobId} already ran with another definition (versions are immutable; run the change as a new ` +
        `version): ${differences.join('; ')}`,
    );
  }
}
