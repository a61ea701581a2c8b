import { setTimeout as sleep } from 'node:timers/promises';

/** Wall time, injected so pacing and progress can be tested without waiting. */
export interface Clock {
  /** monotonic milliseconds */
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => performance.now(),
  sleep: async (ms) => {
    await sleep(ms);
  },
};
