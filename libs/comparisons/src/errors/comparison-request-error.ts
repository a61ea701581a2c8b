/** A comparison that cannot be run as asked; `field` names what is wrong (exit 2 in the CLI, a 400 in the API). */
export class ComparisonRequestError extends Error {
  override readonly name = 'ComparisonRequestError';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}
