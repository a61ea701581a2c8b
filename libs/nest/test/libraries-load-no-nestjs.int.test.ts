import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// Runs the built files (pnpm test builds first): what matters is what `node` loads, not what vitest resolves.
const root = resolve(import.meta.dirname, '..', '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'lk-no-nest-'));
const hook = join(dir, 'record-modules.cjs');
// on exit, writes every module path the process loaded, whatever the program did before
writeFileSync(
  hook,
  `process.on('exit', () => require('node:fs').writeFileSync(process.env.LK_MODULES_OUT, JSON.stringify(Object.keys(require.cache))));\n`,
);

function loadedModules(args: string[], env: Record<string, string> = {}): string[] {
  const out = join(dir, `modules-${Math.random().toString(36).slice(2)}.json`);
  const run = spawnSync(process.execPath, ['--require', hook, ...args], {
    cwd: root,
    env: { ...process.env, ...env, LK_MODULES_OUT: out },
    encoding: 'utf8',
    timeout: 30_000,
  });
  expect(run.error).toBeUndefined();
  return JSON.parse(readFileSync(out, 'utf8')) as string[];
}

// The CLIs are run with a stack setting they refuse, so they stop right after loading everything they import.
const unusable = {
  KAFKA_BROKERS: 'not-a-broker',
  DATABASE_URL: 'mysql://nowhere/x',
  SCHEMA_REGISTRY_URL: 'not a url',
  REDIS_URL: 'http://x',
};

describe('libraries and CLIs never load NestJS', () => {
  it.each(['common', 'operators', 'schemas', 'kafka', 'store'])('require(@lk/%s)', (lib) => {
    const modules = loadedModules([
      '-e',
      `require(${JSON.stringify(join(root, 'libs', lib, 'dist', 'index.js'))})`,
    ]);
    expect(modules.length).toBeGreaterThan(1);
    expect(modules.filter((path) => path.includes('@nestjs'))).toEqual([]);
  });

  it.each([
    ['libs/operators/dist/cli/lk-window.js', '--help'],
    ['services/generator/dist/cli/generate.js', '--help'],
    ['libs/store/dist/cli/migrate.js'],
    ['libs/schemas/dist/cli/register-schemas.js'],
    ['libs/schemas/dist/cli/schemas-check.js'],
    ['e2e/dist/cli/smoke.js'],
  ])('%s', (cli, ...args) => {
    const modules = loadedModules([join(root, cli), ...args], unusable);
    expect(modules.filter((path) => path.includes('@nestjs'))).toEqual([]);
  });

  it('the services do load it (the check can see NestJS when it is there)', () => {
    const modules = loadedModules([join(root, 'services/merge/dist/main.js')], { LOG_LEVEL: 'nonsense' });
    expect(modules.some((path) => path.includes('@nestjs'))).toBe(true);
  });
});
