/**
 * kafkajs wraps the error that broke an operation in retry wrappers (KafkaJSNumberOfRetriesExceeded,
 * KafkaJSNonRetriableError) chained through `cause`; the innermost is what a log line should name.
 */
export function originalCause(error: unknown): Error {
  let current: unknown = error;
  for (let depth = 0; depth < 10; depth++) {
    const cause = current instanceof Error ? (current as { cause?: unknown }).cause : undefined;
    if (!(cause instanceof Error)) break;
    current = cause;
  }
  return current instanceof Error ? current : new Error(String(current));
}
