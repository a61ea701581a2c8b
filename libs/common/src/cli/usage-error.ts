/**
 * The command line itself is wrong (unknown flag, missing value, conflicting flags, a bad value): names
 * the flag or argument (`field`) and what is wrong with it. `runCli` answers it with exit code 2 and the usage.
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  constructor(
    readonly field: string,
    readonly problem: string,
  ) {
    super(`${field}: ${problem}`);
  }
}
