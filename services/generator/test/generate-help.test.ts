import { describe, expect, it, vi } from 'vitest';
import { GENERATE_HELP, parseGenerateArgs } from '../src/cli/generate-args';
import { resolveGeneratorOptions } from '../src/generator';

const parse = (...argv: string[]) => {
  const command = parseGenerateArgs(argv, {}, Date.parse('2026-03-01T00:00:00Z'), 7);
  if (command.kind !== 'run') throw new Error('expected a run');
  return command;
};

/** flag → the default the help text shows for it */
function helpDefaults(help: string): Map<string, string> {
  const defaults = new Map<string, string>();
  for (const match of help.matchAll(/^ {2}(--[\w-]+) .*\(default (\S+?)[)\s]/gm))
    defaults.set(match[1]!, match[2]!);
  return defaults;
}

describe('lk-generate --help', () => {
  it('shows, for every flag with a fixed default, the value the code uses when the flag is left out', () => {
    const defaults = helpDefaults(GENERATE_HELP);
    const base = parse('--count', '10', '--dry-run');
    const resolvedBase = resolveGeneratorOptions(base.generator);
    const notFixed = new Set(['--seed', '--start', '--subject', '--brokers', '--registry']);
    const checked: string[] = [];
    for (const [flag, shown] of defaults) {
      if (notFixed.has(flag) || shown.startsWith('$') || shown === 'random:' || shown === 'now,') continue;
      const given = parse('--count', '10', '--dry-run', flag, shown);
      expect({ ...given, generator: resolveGeneratorOptions(given.generator) }, flag).toEqual({
        ...base,
        generator: resolvedBase,
      });
      checked.push(flag);
    }
    // every generator knob and the CLI's own were checked, not silently skipped
    expect(checked.sort()).toEqual(
      [
        '--rate',
        '--event-time-per-second',
        '--nominal-rate',
        '--keys',
        '--zipf',
        '--event-types',
        '--amount',
        '--disorder',
        '--late-fraction',
        '--lateness',
        '--duplicates',
        '--duplicate-distance',
        '--v1-fraction',
        '--topic',
        '--partitions',
        '--batch-size',
      ].sort(),
    );
  });

  it('follows the defaults object: change a default and the help changes with it', async () => {
    vi.resetModules();
    vi.doMock('../src/generator/generator-options', async (importOriginal) => {
      const original = await importOriginal<typeof import('../src/generator/generator-options')>();
      return {
        ...original,
        GENERATOR_DEFAULTS: {
          ...original.GENERATOR_DEFAULTS,
          rate: 2500,
          keys: 123,
          disorderMs: 90_000,
          latenessMs: { min: 2_000, max: 3_600_000 },
          v1Fraction: 0.75,
        },
      };
    });
    try {
      const { GENERATE_HELP: help } = await import('../src/cli/generate-args');
      const shown = helpDefaults(help);
      expect(shown.get('--rate')).toBe('2500');
      expect(shown.get('--keys')).toBe('123');
      expect(shown.get('--disorder')).toBe('1m30s');
      expect(shown.get('--lateness')).toBe('2s..1h');
      expect(shown.get('--v1-fraction')).toBe('0.75');
    } finally {
      vi.doUnmock('../src/generator/generator-options');
      vi.resetModules();
    }
  });
});
