/** A local .avsc cannot be used as a contract (not JSON, not a valid Avro record schema); names the file. */
export class InvalidContractFileError extends Error {
  override readonly name = 'InvalidContractFileError';
  constructor(
    readonly file: string,
    problem: string,
  ) {
    super(`${file}: ${problem}`);
  }
}
