import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KafkaAdmin, PartitionReplicas } from '@lk/kafka';
import { TEST_BROKER_JVM_OPTS } from '../src/support/own-stack';
import { SpeedScenario } from '../src/support/speed-scenario';
import { expectGroundTruth } from './support/expect-ground-truth';

/**
 * The speed layer on a 3-node KRaft cluster (infra/local/cluster.sh: replication factor 3, min.insync.replicas
 * 2, producers with acks=all): the broker leading the most partitions is killed with SIGKILL mid-run and
 * brought back on its data. Nothing may be lost or doubled — the log holds exactly the generator's records —
 * and the speed layer must end exactly where `lk-window --mode stream` over them ends. The cluster has ports
 * of its own; the schema registry, PostgreSQL and Redis are the shared stack's.
 */
const root = resolve(import.meta.dirname, '..', '..');
const clusterDir = mkdtempSync(join(tmpdir(), 'lk-cluster-'));
const brokers = '127.0.0.1:19092,127.0.0.1:19093,127.0.0.1:19094';
const scenario = new SpeedScenario('cluster', { KAFKA_BROKERS: brokers });
let scenarioUsed = false;

const run = promisify(execFile);

/**
 * cluster.sh without blocking the event loop (a node starts in tens of seconds on a busy machine); its
 * progress lines, with their timings, go to the test's output (a failure's are in the error).
 */
async function cluster(...args: string[]): Promise<string> {
  const { stdout, stderr } = await run('bash', [resolve(root, 'infra/local/cluster.sh'), ...args], {
    // a node may take minutes to start while the machine runs other suites too
    env: {
      ...process.env,
      CLUSTER_DIR: clusterDir,
      STACK_TIMEOUT: '300',
      KAFKA_JVM_OPTS: TEST_BROKER_JVM_OPTS,
    },
    timeout: 400_000,
  });
  process.stderr.write(stderr);
  return stdout;
}

const nodePid = (node: number): number =>
  Number(readFileSync(join(clusterDir, `node${node}.pid`), 'utf8').split(' ')[0]);

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls the topic's placement until `done` holds for it; the last placement seen on timeout. */
async function placementUntil(
  admin: KafkaAdmin,
  topic: string,
  done: (partitions: PartitionReplicas[]) => boolean,
  timeoutMs = 120_000,
): Promise<PartitionReplicas[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const placement = await admin.partitionReplicas(topic).catch(() => []);
    if ((placement.length > 0 && done(placement)) || Date.now() > deadline) return placement;
    await pause(500);
  }
}

const sorted = (ids: number[]): number[] => [...ids].sort((a, b) => a - b);

const pids: number[] = [];

beforeAll(async () => {
  const stdout = await cluster('up');
  expect(stdout).toContain(`KAFKA_BROKERS=${brokers}`);
  pids.push(...[1, 2, 3].map(nodePid));
}, 420_000);

afterAll(async () => {
  try {
    // its topics live on the cluster: gone with it anyway, but its Postgres rows and Redis keys are shared
    if (scenarioUsed) await scenario.cleanup();
  } finally {
    // when down fails, the directory stays: its PID files are what `cluster.sh down` stops by hand
    await cluster('down');
    rmSync(clusterDir, { recursive: true, force: true });
    // what it started is gone: the nodes of `up` and the one `start-broker` started again
    for (const pid of pids) expect(alive(pid), `node pid ${pid}`).toBe(false);
  }
}, 300_000);

describe('speed layer on a 3-node cluster', () => {
  it('loses and doubles nothing when the busiest broker is killed mid-run and comes back: results = lk-window', async () => {
    scenarioUsed = true;
    const admin = scenario.kafka.admin();
    await admin.connect();
    try {
      await scenario.createTopics();
      // replication from the cluster's defaults, as every topic a service creates gets it
      const placement = await admin.partitionReplicas(scenario.topic);
      expect(placement).toHaveLength(12);
      for (const p of placement) {
        expect(sorted(p.replicas), `partition ${p.partition}`).toEqual([1, 2, 3]);
        expect(sorted(p.isr), `partition ${p.partition}`).toEqual([1, 2, 3]);
      }
      expect((await admin.describeTopic(scenario.topic, ['min.insync.replicas'])).config).toEqual({
        'min.insync.replicas': '2',
      });

      // acks=all made visible: while a node is down, a topic that wants all 3 replicas in sync refuses our
      // producer's writes — acks=1 would have them acknowledged by the leader alone
      const probe = `${scenario.topic}.acks-probe`;
      await admin.ensureTopics([{ name: probe, partitions: 1, config: { 'min.insync.replicas': '3' } }]);

      const speed = scenario.startSpeed(1);
      await speed.waitForLog('service started');
      // the service's own outputs, created without a replication factor, are replicated like the input
      const outputs = [
        `${scenario.topic}.late`,
        ...scenario.pipelines.map((p) => `lk.window-results.${p.name}.v1`),
      ];
      for (const topic of outputs)
        for (const p of await admin.partitionReplicas(topic))
          expect(p.replicas, `${topic} partition ${p.partition}`).toHaveLength(3);

      // ~25 s of production: the kill, the outage and the restart all happen while records flow
      let produced = false;
      const producing = scenario
        .generate(100_000, 4_000, { seed: 47, start: '2026-07-01T00:00:00Z' })
        .finally(() => (produced = true));
      await pause(4_000);
      const led = new Map<number, number>();
      for (const p of await admin.partitionReplicas(scenario.topic))
        led.set(p.leader, (led.get(p.leader) ?? 0) + 1);
      const victim = [...led].sort(([a, m], [b, n]) => n - m || a - b)[0]![0];
      expect(produced, 'the generator still producing when the broker dies').toBe(false);
      await cluster('kill-broker', String(victim));

      // the controller fences the dead node (broker session timeout): its partitions get new leaders and
      // it leaves every ISR, which keeps 2 members — min.insync.replicas, so acks=all writes go on
      const failedOver = await placementUntil(admin, scenario.topic, (partitions) =>
        partitions.every((p) => p.leader !== victim && p.leader >= 0 && !p.isr.includes(victim)),
      );
      for (const p of failedOver) {
        expect(p.leader, `partition ${p.partition} leader`).not.toBe(victim);
        expect(p.isr, `partition ${p.partition} ISR`).toHaveLength(2);
      }
      await placementUntil(admin, probe, (partitions) => partitions.every((p) => !p.isr.includes(victim)));
      // the same producer code as the generator's and the speed layer's (an idempotent one needs a retry)
      const producer = scenario.kafka.producer({ retry: { retries: 1, initialRetryTime: 100 } });
      await producer.connect();
      try {
        await expect(producer.send(probe, [{ key: 'k', value: Buffer.from('v') }])).rejects.toThrow(
          /fewer in-sync replicas than required/,
        );
      } finally {
        await producer.disconnect();
      }
      await pause(2_000);
      await cluster('start-broker', String(victim));
      pids.push(nodePid(victim));

      // back on its data, it catches up and rejoins every ISR
      const rejoined = await placementUntil(admin, scenario.topic, (partitions) =>
        partitions.every((p) => p.isr.length === 3),
      );
      for (const p of rejoined) expect(sorted(p.isr), `partition ${p.partition} ISR`).toEqual([1, 2, 3]);

      expect(await producing, 'generator exit code').toBe(0);
      // the log holds exactly what the generator recorded producing: nothing lost, nothing written twice —
      // every offset of every partition is one line of its JSONL
      const records = scenario.generated(0);
      expect(records).toHaveLength(100_000);
      expect(await scenario.endOffsetTotal()).toBe(records.length);
      for (const [partition, end] of await admin.endOffsets(scenario.topic)) {
        const offsets = records.filter((r) => r.partition === partition).map((r) => r.offset);
        expect(sorted(offsets), `partition ${partition}`).toEqual([...Array(Number(end)).keys()]);
      }

      await scenario.caughtUp(1);
      for (const pipeline of scenario.pipelines) {
        const { expected } = await expectGroundTruth(scenario, pipeline, scenario.jobId(pipeline, 1));
        expect(expected.results.length).toBeGreaterThan(1000);
      }
      expect(speed.running, speed.stderr.slice(-2000)).toBe(true);
      expect(speed.logLines().filter((line) => line.level === 'error')).toEqual([]);
    } finally {
      await admin.disconnect();
    }
  }, 600_000);
});
