import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..', '..', '..');

/**
 * The repository's command-line entry points, and the one way they end: runCli (UsageError/ConfigError →
 * 2 with the usage, anything else → one line and the command's documented failure code). lk-window is not
 * listed: libs/operators depends on nothing of ours (DESIGN.md), so it keeps its own small runner, with the
 * same exit codes (libs/operators/test/cli.test.ts checks them).
 */
const ENTRY_POINTS = [
  'libs/schemas/src/cli/register-schemas.ts',
  'libs/schemas/src/cli/schemas-check.ts',
  'libs/store/src/cli/migrate.ts',
  'services/generator/src/cli/generate.ts',
  'e2e/src/cli/smoke.ts',
  'bench/src/run.ts',
  'bench/src/generator.ts',
];

describe('CLI entry points', () => {
  it.each(ENTRY_POINTS)('%s ends through runCli, never process.exit', (file) => {
    const source = readFileSync(resolve(root, file), 'utf8');
    expect(source).toMatch(/\brunCli\(/);
    expect(source).not.toMatch(/process\.exit\(|process\.exitCode\s*=/);
    expect(source).not.toMatch(/class \w*UsageError\b/);
  });
});
