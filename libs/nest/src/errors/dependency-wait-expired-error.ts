/** Start-up waited STARTUP_DEPENDENCY_WAIT_MS for dependencies that never answered; the last start's error is the cause. */
export class DependencyWaitExpiredError extends Error {
  override readonly name = 'DependencyWaitExpiredError';

  constructor(
    /** the dependencies failing their check at the end, with why */
    readonly unavailable: readonly { dependency: string; error: string }[],
    readonly waitedMs: number,
    cause: unknown,
  ) {
    super(
      `${unavailable.map((down) => `${down.dependency} (${down.error})`).join(', ')} did not become available ` +
        `within ${waitedMs} ms (STARTUP_DEPENDENCY_WAIT_MS)`,
      { cause },
    );
  }
}
