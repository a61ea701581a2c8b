import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { resolve } from 'node:path';

const root = resolve(__dirname, '..', '..', '..');

/** A service of ours started as its own process, as in production, with its log lines kept for assertions. */
export class ServiceProcess {
  readonly child: ChildProcess;
  private stderrText = '';
  private readonly exited: Promise<number | null>;

  constructor(service: string, env: Record<string, string>) {
    this.child = spawn(process.execPath, [resolve(root, 'services', service, 'dist', 'main.js')], {
      cwd: root,
      env: { ...process.env, [`${service.toUpperCase()}_PORT`]: '0', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    // LK_E2E_LOGS=<file> keeps every service's log lines for a look after a failed run
    const logFile = process.env.LK_E2E_LOGS;
    this.child.stderr!.on('data', (chunk: Buffer) => {
      this.stderrText += chunk.toString();
      if (logFile) appendFileSync(logFile, chunk);
    });
    this.exited = new Promise((done) => this.child.on('exit', (code) => done(code)));
  }

  get stderr(): string {
    return this.stderrText;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The JSON log lines written so far. */
  logLines(): Record<string, unknown>[] {
    return this.stderrText
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  }

  async waitForLog(event: string, timeoutMs = 60_000): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const line = this.logLines().find((entry) => entry.event === event);
      if (line) return line;
      if (!this.running)
        throw new Error(`exited before logging "${event}":\n${this.stderrText.slice(-3000)}`);
      if (Date.now() > deadline)
        throw new Error(`no "${event}" within ${timeoutMs} ms:\n${this.stderrText.slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** kill -9: no flush, no goodbye to the group. */
  async kill(): Promise<void> {
    if (this.running) this.child.kill('SIGKILL');
    await this.exited;
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    if (this.running) this.child.kill(signal);
    return this.exited;
  }

  exitCode(): Promise<number | null> {
    return this.exited;
  }
}
