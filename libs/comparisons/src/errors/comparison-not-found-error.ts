/** No comparison has this id (a 404 in the API). */
export class ComparisonNotFoundError extends Error {
  override readonly name = 'ComparisonNotFoundError';
  constructor(readonly comparisonId: string) {
    super(`no comparison "${comparisonId}"`);
  }
}
