import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';

/**
 * What can be checked of the container setup on a machine without a Docker engine: the compose file against
 * the Compose specification (dclint), the Dockerfile's properties, that compose configures each service of ours
 * with the variables the native stack uses and builds it on the port it listens on, and the Prometheus config
 * (promtool). Running the images themselves is left to machines with Docker; deploy.int.test.ts runs each
 * service from the folder its image holds.
 */
const root = resolve(import.meta.dirname, '..', '..');
const run = promisify(execFile);
const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<
    string,
    {
      build?: { context: string; args: { SERVICE: string; PORT: string } };
      image?: string;
      environment?: Record<string, string>;
      healthcheck?: unknown;
      depends_on?: Record<string, { condition: string }>;
      profiles?: string[];
      command?: unknown;
    }
  >;
};
const ours = ['admin', 'generator', 'speed', 'batch', 'merge'];
const scratch = mkdtempSync(join(tmpdir(), 'lk-containers-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('docker-compose.yml', () => {
  it('is valid under the Compose specification (dclint, errors only)', async () => {
    const { stdout, stderr } = await run(
      join(root, 'e2e/node_modules/.bin/dclint'),
      ['-q', 'docker-compose.yml'],
      {
        cwd: root,
      },
    ).catch((error: { stdout: string; stderr: string }) => ({
      stdout: error.stdout,
      stderr: error.stderr,
      failed: true,
    }));
    expect(`${stdout}${stderr}`.trim()).toBe('');
  });

  it('builds each service of ours from the Dockerfile, on the port its main.ts listens on by default', () => {
    for (const name of ours) {
      const service = compose.services[name]!;
      const main = readFileSync(join(root, 'services', name, 'src/main.ts'), 'utf8');
      const defaultPort = /defaultPort: (\d+)/.exec(main)![1];
      expect(service.build, name).toEqual({ context: '.', args: { SERVICE: name, PORT: defaultPort } });
      expect(service.environment![`${name.toUpperCase()}_HOST`], name).toBe('0.0.0.0');
    }
  });

  it('configures the services with the native stack variable names, and waits for healthy dependencies', () => {
    const native = readFileSync(join(root, 'infra/local/env.sh'), 'utf8');
    for (const name of [...ours, 'init']) {
      const service = compose.services[name]!;
      for (const variable of ['KAFKA_BROKERS', 'SCHEMA_REGISTRY_URL', 'DATABASE_URL', 'REDIS_URL']) {
        expect(service.environment?.[variable], `${name} ${variable}`).toBeTruthy();
        expect(native, variable).toContain(`export ${variable}=`);
      }
      for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {}))
        expect(['service_healthy', 'service_completed_successfully'], `${name} → ${dependency}`).toContain(
          condition,
        );
    }
    // everything long-running has a healthcheck: the infrastructure in compose, ours in the Dockerfile
    for (const [name, service] of Object.entries(compose.services)) {
      const oneShot = ['kafka-init', 'init'].includes(name) || service.profiles?.includes('demo');
      if (!oneShot && !ours.includes(name)) expect(service.healthcheck, name).toBeDefined();
    }
    // one Kafka version for both stacks (.env), one topic list (infra/kafka/topics)
    expect(compose.services.kafka!.image).toBe('apache/kafka:${KAFKA_VERSION:?set in .env}');
    expect(readFileSync(join(root, '.env'), 'utf8')).toMatch(/^KAFKA_VERSION=\d+\.\d+\.\d+$/m);
    expect(readFileSync(join(root, 'infra/local/stack.sh'), 'utf8')).toContain('KAFKA_VERSION');
    expect(JSON.stringify(compose.services['kafka-init'])).toContain('/etc/lk/topics');
  });

  it('loads a Prometheus config that promtool accepts, with the lag alert rules', async () => {
    const config = readFileSync(join(root, 'infra/prometheus/prometheus.yml'), 'utf8').replaceAll(
      '/etc/prometheus/lk/',
      `${join(root, 'infra/prometheus')}/`,
    );
    writeFileSync(join(scratch, 'prometheus.yml'), config);
    const { stdout } = await run('promtool', ['check', 'config', join(scratch, 'prometheus.yml')]);
    expect(stdout).toMatch(/SUCCESS/);
    expect(stdout).toMatch(/lag-alerts\.yml/);
  });
});

describe('Dockerfile', () => {
  const text = readFileSync(join(root, 'Dockerfile'), 'utf8');
  const stages = text.split(/^FROM /m).slice(1);

  it('is multi-stage: a build stage deploys one service with pnpm deploy --prod, the runtime copies only that', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    // the runtime the project requires, in both stages
    expect(stages.every((stage) => stage.startsWith('node:24-slim AS '))).toBe(true);
    expect(stages[0]).toMatch(/pnpm --filter "@lk\/\$\{SERVICE\}" deploy --legacy --prod \/out/);
    const runtime = stages.at(-1)!;
    expect(runtime).toMatch(/COPY --from=build --chown=node:node \/out \.\//);
    expect(runtime).not.toMatch(/^COPY \. /m);
  });

  it('runs as a non-root user, with a healthcheck, and node itself receives SIGTERM', () => {
    const runtime = stages.at(-1)!;
    expect(runtime).toMatch(/^USER node$/m);
    expect(runtime).toMatch(/^HEALTHCHECK .*\n?.*CMD \["node"/m);
    expect(runtime).toMatch(/^STOPSIGNAL SIGTERM$/m);
    // exec form: no shell between Docker and node that would swallow the signal
    expect(runtime).toMatch(/^CMD \["node", "dist\/main\.js"\]$/m);
  });

  it('passes dockerfilelint', async () => {
    const { stdout } = await run(join(root, 'e2e/node_modules/.bin/dockerfilelint'), ['Dockerfile'], {
      cwd: root,
    });
    expect(stdout).toContain('Issues: None found');
  });

  it('leaves the workspace build out of the context (.dockerignore)', () => {
    const ignore = readFileSync(join(root, '.dockerignore'), 'utf8');
    for (const entry of ['node_modules', '**/dist', '.stack', '.tools']) expect(ignore).toContain(entry);
  });
});

describe('the variables each service reads', () => {
  /** NAME → default (a literal of the code, evaluated; undefined when there is none) of a service's own source. */
  function variablesOf(service: string): Map<string, string | undefined> {
    const found = new Map<string, string | undefined>();
    const sources = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
        entry.isDirectory()
          ? entry.name === 'cli'
            ? [] // command-line tools read their own (LK_API_URL, …), not the service
            : sources(join(dir, entry.name))
          : entry.name.endsWith('.ts')
            ? [join(dir, entry.name)]
            : [],
      );
    for (const file of sources(join(root, 'services', service, 'src'))) {
      const text = readFileSync(file, 'utf8');
      for (const [, name, fallback] of text.matchAll(/read\.(?:string|integer)\('([A-Z0-9_]+)', ([^,)]+)/g)) {
        const value = /^'(.*)'$/.exec(fallback!.trim())?.[1] ?? String(new Function(`return ${fallback}`)());
        found.set(name!, value);
      }
      for (const [, name] of text.matchAll(/\benv\.([A-Z][A-Z0-9_]+)/g))
        if (!found.has(name!)) found.set(name!, undefined);
    }
    // what every service reads through @lk/nest and @lk/common
    found.set(`${service.toUpperCase()}_HOST`, undefined);
    found.set(`${service.toUpperCase()}_PORT`, undefined);
    found.set('LOG_LEVEL', 'info');
    found.set('HEALTH_TIMEOUT_MS', '2000');
    return found;
  }

  for (const service of ours) {
    it(`${service}: every one is set in docker-compose.yml (with the code's default) and documented`, () => {
      const environment = compose.services[service]!.environment ?? {};
      const readme = readFileSync(join(root, 'README.md'), 'utf8');
      const missing: string[] = [];
      for (const [name, fallback] of variablesOf(service)) {
        if (!(name in environment)) missing.push(`${name} not set in compose`);
        else if (fallback !== undefined && !name.endsWith('_HOST') && String(environment[name]) !== fallback)
          missing.push(`${name}: compose ${environment[name]}, code default ${fallback}`);
        if (!readme.includes(name) && !readme.includes(`<SERVICE>_${name.split('_').at(-1)}`))
          missing.push(`${name} not in README.md`);
      }
      expect(missing).toEqual([]);
    });
  }
});
