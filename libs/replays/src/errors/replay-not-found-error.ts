/** No replay run has this id (a 404 in the API). */
export class ReplayNotFoundError extends Error {
  override readonly name = 'ReplayNotFoundError';
  constructor(readonly runId: string) {
    super(`no replay run "${runId}"`);
  }
}
