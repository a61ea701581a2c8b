import { defineConfig } from 'vitest/config';
import { resolve } from 'node:path';

const root = import.meta.dirname;

// Tests run against the TypeScript sources of our libs, so no build is needed first.
const alias = Object.fromEntries(
  ['operators', 'schemas', 'kafka', 'store', 'common', 'nest', 'streaming', 'replays', 'comparisons'].map(
    (lib) => [`@lk/${lib}`, resolve(root, `libs/${lib}/src/index.ts`)],
  ),
);

export default defineConfig({
  resolve: { alias },
  test: {
    // the stack the integration and e2e tests use: containers where a Docker engine answers, else the native one
    globalSetup: ['test-setup/stack.ts'],
    projects: [
      {
        resolve: { alias },
        test: {
          name: 'unit',
          // projects run one after another: fault tests restart the broker and Postgres under no one else
          sequence: { groupOrder: 0 },
          setupFiles: ['test-setup/fast-check.ts'],
          include: ['libs/*/test/**/*.test.ts', 'services/*/test/**/*.test.ts'],
          exclude: ['**/*.int.test.ts', '**/node_modules/**'],
        },
      },
      {
        resolve: { alias },
        test: {
          name: 'integration',
          sequence: { groupOrder: 1 },
          setupFiles: ['test-setup/stack-env.ts'],
          include: [
            'libs/*/test/**/*.int.test.ts',
            'services/*/test/**/*.int.test.ts',
            'e2e/test/**/*.int.test.ts',
          ],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
      {
        resolve: { alias },
        test: {
          name: 'e2e',
          sequence: { groupOrder: 2 },
          setupFiles: ['test-setup/stack-env.ts'],
          include: ['e2e/test/**/*.e2e.test.ts'],
          testTimeout: 300_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
