/** The registry did not answer within the time given (connection, headers and body). */
export class RegistryTimeoutError extends Error {
  override readonly name = 'RegistryTimeoutError';
  constructor(
    readonly url: string,
    readonly timeoutMs: number,
  ) {
    super(`no answer within ${timeoutMs / 1000} s`);
  }
}
