/**
 * A consumer stopped for good after it had started: kafkajs crashed on an error it does not restart after
 * (non-retriable, or declared fatal by `ConsumerSettings.isFatal`). `cause` is the original error, unwrapped
 * from kafkajs's retry wrappers, so the log line names what actually went wrong.
 */
export class ConsumerCrashedError extends Error {
  override readonly name = 'ConsumerCrashedError';
  constructor(
    readonly groupId: string,
    override readonly cause: Error,
  ) {
    super(`consumer of group ${groupId} crashed and will not restart: ${cause.name}: ${cause.message}`, {
      cause,
    });
  }
}
