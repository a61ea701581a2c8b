/** The command line itself is wrong (unknown flag, missing value, conflicting flags); names the flag. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  constructor(
    readonly flag: string,
    readonly problem: string,
  ) {
    super(`${flag}: ${problem}`);
  }
}
