/**
 * Versioned consumer group ids. A new version has no committed offsets, so it starts from the earliest
 * retained offset (a Kappa replay); an old version keeps its position.
 */
export function speedGroupId(pipeline: string, version: number): string {
  if (!Number.isInteger(version) || version < 1)
    throw new RangeError(`version must be a positive integer, got ${version}`);
  return `lk-speed-${pipeline}-v${version}`;
}

export function batchGroupId(runId: string): string {
  return `lk-batch-${runId}`;
}
