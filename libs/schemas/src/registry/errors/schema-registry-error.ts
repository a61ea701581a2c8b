/** The registry answered with an error we do not expect (down, misconfigured, wrong URL). */
export class SchemaRegistryError extends Error {
  override readonly name = 'SchemaRegistryError';
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}
