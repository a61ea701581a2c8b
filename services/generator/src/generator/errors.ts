/**
 * An option of the generator has a value it cannot use. Names the option both as the library knows it and as
 * the CLI flag, so the message is actionable from either side.
 */
export class GeneratorOptionError extends Error {
  override readonly name = 'GeneratorOptionError';
  constructor(
    readonly option: string,
    readonly flag: string,
    readonly problem: string,
  ) {
    super(`invalid option ${option} (${flag}): ${problem}`);
  }
}
