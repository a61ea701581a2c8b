/**
 * Runs a dependency probe with a deadline and always releases what it opened: `close` runs once the probe
 * settles, even when the deadline answered first (a Kafka connect still retrying after the deadline would
 * otherwise open a connection that nobody closes).
 */
export async function boundedCheck(
  what: string,
  timeoutMs: number,
  probe: () => Promise<void>,
  close: () => Promise<void>,
): Promise<void> {
  const work = probe();
  void work
    .catch(() => undefined)
    .finally(() => close())
    .catch(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
