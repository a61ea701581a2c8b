/** The registry refused a schema because readers of the subject's existing versions could not read it. */
export class SchemaIncompatibleError extends Error {
  override readonly name = 'SchemaIncompatibleError';
  constructor(
    readonly subject: string,
    readonly compatibility: string,
    readonly reasons: string[],
  ) {
    super(
      `schema rejected for subject "${subject}" (compatibility ${compatibility}): ` +
        (reasons.length ? reasons.join('; ') : 'the registry gave no reason'),
    );
  }
}
