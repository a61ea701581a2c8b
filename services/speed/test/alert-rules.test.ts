import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const rulesDir = resolve(import.meta.dirname, '../../../infra/prometheus');

function promtool(args: string[], cwd: string): { code: number; output: string } {
  try {
    return { code: 0, output: execFileSync('promtool', args, { cwd, encoding: 'utf8', stdio: 'pipe' }) };
  } catch (error) {
    const failure = error as { status?: number; stdout?: string; stderr?: string; code?: string };
    if (failure.code === 'ENOENT')
      throw new Error("promtool is not installed (scripts/test.sh installs Debian's prometheus package)", {
        cause: error,
      });
    return { code: failure.status ?? 1, output: `${failure.stdout ?? ''}${failure.stderr ?? ''}` };
  }
}

describe('lag alert rules (infra/prometheus)', () => {
  it('are valid Prometheus rules', () => {
    const result = promtool(['check', 'rules', 'lag-alerts.yml'], rulesDir);
    expect(result.output).toContain('SUCCESS');
    expect(result.code).toBe(0);
  });

  it('fire on a growing lag and stay quiet on a steady one (promtool test rules)', () => {
    const result = promtool(['test', 'rules', 'lag-alerts.test.yml'], rulesDir);
    expect(result.output).toContain('SUCCESS');
    expect(result.code).toBe(0);
  });

  it('would be caught by the rules test if the warning threshold were wrong', () => {
    // the same test file against rules whose warning fires at the whole budget must fail
    const dir = mkdtempSync(join(tmpdir(), 'lk-rules-'));
    const broken = readFileSync(join(rulesDir, 'lag-alerts.yml'), 'utf8').replace(
      'lk:consumer_lag:sum > 0.5 * lk:lag_budget_records',
      'lk:consumer_lag:sum > lk:lag_budget_records',
    );
    writeFileSync(join(dir, 'lag-alerts.yml'), broken);
    copyFileSync(join(rulesDir, 'lag-alerts.test.yml'), join(dir, 'lag-alerts.test.yml'));
    const result = promtool(['test', 'rules', 'lag-alerts.test.yml'], dir);
    expect(result.code).not.toBe(0);
    expect(result.output).toMatch(/LkConsumerLagHalfBudget/);
  });
});
