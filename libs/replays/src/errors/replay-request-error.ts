/** A replay request that cannot be carried out as asked; `field` names what is wrong (a 400 in the API). */
export class ReplayRequestError extends Error {
  override readonly name = 'ReplayRequestError';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}
