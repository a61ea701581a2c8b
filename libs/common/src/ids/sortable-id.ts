import { randomBytes } from 'node:crypto';

/**
 * An id sortable by creation time and unique without coordination: base-36 milliseconds and 6 random hex
 * digits (replay runs, comparisons).
 */
export function sortableId(now: number = Date.now()): string {
  return `${now.toString(36)}${randomBytes(3).toString('hex')}`;
}
