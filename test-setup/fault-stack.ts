// Vitest global setup of the project e2e-own-stack: the directory of the stack the fault suites (chaos, speed
// faults) share — its own broker, registry and PostgreSQL on FAULT_STACK_PORTS, which they restart. Each suite
// brings it up (`up` reuses what is running), so one stack serves both, started once; it goes down here, after
// the last of them, also when a suite failed. LK_FAULT_STACK_DIR names a directory to keep (its logs).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { TestProject } from 'vitest/node';
import { FAULT_STACK_PORTS, OwnStack } from '../e2e/src/support/own-stack';

declare module 'vitest' {
  export interface ProvidedContext {
    /** STACK_DIR of the stack the fault suites share */
    faultStackDir: string;
  }
}

export default function setup(project: TestProject): () => void {
  const kept = process.env.LK_FAULT_STACK_DIR;
  const dir = kept ?? mkdtempSync(join(tmpdir(), 'lk-fault-stack-'));
  project.provide('faultStackDir', dir);
  return () => {
    const stack = new OwnStack('faults', FAULT_STACK_PORTS, dir);
    try {
      execFileSync('bash', [resolve(import.meta.dirname, '..', 'infra/local/stack.sh'), 'down'], {
        stdio: 'inherit',
        timeout: 300_000,
        env: { ...process.env, ...stack.env },
      });
    } finally {
      if (!kept) rmSync(dir, { recursive: true, force: true });
    }
  };
}
