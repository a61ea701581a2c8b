/** The registry answered with an error we do not expect (down, misconfigured, wrong URL). */
export class SchemaRegistryError extends Error {
  // widened to string so subclasses (RegistryNotReadyError, ...) can name themselves
  override readonly name: string = 'SchemaRegistryError';
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}
