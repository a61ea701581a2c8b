/** Configuration that cannot be used: names the field and what was expected, so start-up fails readably. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly field: string,
    readonly problem: string,
  ) {
    super(`invalid configuration: ${field}: ${problem}`);
  }
}
