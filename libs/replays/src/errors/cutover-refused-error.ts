/** A cutover that would not be safe now; the message says why (a 409 in the API). */
export class CutoverRefusedError extends Error {
  override readonly name = 'CutoverRefusedError';
  constructor(
    readonly runId: string,
    reason: string,
  ) {
    super(`cutover of ${runId} refused: ${reason}`);
  }
}
