import { defineConfig } from 'vitest/config';
import { resolve } from 'node:path';
import { LongestFirstSequencer } from './test-setup/longest-first-sequencer';

const root = import.meta.dirname;

// Tests run against the TypeScript sources of our libs, so no build is needed first.
const alias = Object.fromEntries(
  ['operators', 'schemas', 'kafka', 'store', 'common', 'nest', 'streaming', 'replays', 'comparisons'].map(
    (lib) => [`@lk/${lib}`, resolve(root, `libs/${lib}/src/index.ts`)],
  ),
);

// The fault suites: they restart the broker and PostgreSQL of the stack they share (test-setup/fault-stack.ts)
// and keep the machine busiest. scripts/test.sh runs them as a lane of their own beside everything else, which
// uses the shared stack (the 3-node cluster suite too: its brokers are its own, nothing it stops is shared); a
// plain `vitest run` runs them last.
const ownStackSuites = ['e2e/test/chaos.e2e.test.ts', 'e2e/test/speed-faults.e2e.test.ts'];

export default defineConfig({
  resolve: { alias },
  test: {
    // the stack the integration and e2e tests use: containers where a Docker engine answers, else the native one
    globalSetup: ['test-setup/stack.ts'],
    // in each group the longest files first (vitest reads the sequencer from the root config only)
    sequence: { sequencer: LongestFirstSequencer },
    projects: [
      {
        resolve: { alias },
        test: {
          name: 'unit',
          // groups run one after another: unit, then integration + e2e, then the suites with stacks of their own
          sequence: { groupOrder: 0 },
          maxWorkers: 2,
          // pure code, no process-wide state: one module graph per worker, not per file
          isolate: false,
          // a few run a CLI as a process (lk-window over 100 k events, promtool) while the fault lane's JVMs
          // start beside them: 5 s timed one out in a full run; a hang still fails
          testTimeout: 30_000,
          setupFiles: ['test-setup/fast-check.ts'],
          include: ['libs/*/test/**/*.test.ts', 'services/*/test/**/*.test.ts'],
          exclude: ['**/*.int.test.ts', '**/node_modules/**'],
        },
      },
      {
        resolve: { alias },
        test: {
          name: 'integration',
          // integration and e2e files share the stack two at a time: each has topics, groups, queues and
          // rows of its own, and none restarts what the others use
          sequence: { groupOrder: 1 },
          maxWorkers: 2,
          setupFiles: ['test-setup/stack-env.ts'],
          include: [
            'libs/*/test/**/*.int.test.ts',
            'services/*/test/**/*.int.test.ts',
            'e2e/test/**/*.int.test.ts',
          ],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        resolve: { alias },
        test: {
          name: 'e2e',
          sequence: { groupOrder: 1 },
          maxWorkers: 2,
          setupFiles: ['test-setup/stack-env.ts'],
          include: ['e2e/test/**/*.e2e.test.ts'],
          exclude: ownStackSuites,
          testTimeout: 300_000,
          hookTimeout: 300_000,
        },
      },
      {
        resolve: { alias },
        test: {
          name: 'e2e-own-stack',
          sequence: { groupOrder: 2 },
          // the stack the fault suites share (started by the first of them, stopped after the last)
          globalSetup: ['test-setup/fault-stack.ts'],
          setupFiles: ['test-setup/stack-env.ts'],
          include: ownStackSuites,
          testTimeout: 300_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
