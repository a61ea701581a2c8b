/** Misuse of operator state: restoring a snapshot of another configuration, snapshotting unflushed output. */
export class OperatorStateError extends Error {
  override readonly name = 'OperatorStateError';

  constructor(
    readonly pipeline: string,
    message: string,
  ) {
    super(`pipeline "${pipeline}": ${message}`);
  }
}
