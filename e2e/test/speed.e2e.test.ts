import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consumeUntil, DeadLetterHeaders } from '@lk/kafka';
import { SpeedScenario } from '../src/support/speed-scenario';
import { expectGroundTruth } from './support/expect-ground-truth';

/**
 * The speed layer against the real stack: a log with disorder, late events, duplicates and poison records,
 * consumed while the service is killed with SIGKILL at random moments and restarted, must end exactly where
 * `lk-window --mode stream` on the generator's JSONL ends, row for row, late event for late event — and an
 * undisturbed second version must end at the same rows.
 */
const scenario = new SpeedScenario('speed-e2e');
const poison = [
  { value: Buffer.from('not avro at all'), why: 'WrongMagicByteError' },
  { value: Buffer.from([0, 0, 0, 0x7f, 0x7f, 1, 2, 3]), why: 'UnknownSchemaIdError' },
  { value: null, why: 'NullValueError' },
];

/** lk-window's row count per pipeline, from the first test's ground-truth check */
const expectedWindows = new Map<string, number>();

beforeAll(() => scenario.createTopics());
afterAll(() => scenario.cleanup());

describe('speed layer on the real stack', () => {
  it('stays exactly-once while killed with SIGKILL at five random moments: results = lk-window, late = --late', async () => {
    let speed = scenario.startSpeed(1);
    await speed.waitForLog('service started');
    const producing = scenario.generate(60_000, 5_000, { seed: 17, start: '2026-03-01T00:00:00Z' });
    // poison records between good ones, mid-stream
    const producer = scenario.kafka.producer();
    await producer.connect();
    await new Promise((r) => setTimeout(r, 2_000));
    for (const [i, { value }] of poison.entries())
      await producer.send(scenario.topic, [{ key: `poison-${i}`, value }]);
    await producer.disconnect();
    for (let crash = 0; crash < 5; crash++) {
      await new Promise((r) => setTimeout(r, 1_000 + Math.random() * 2_000));
      await speed.kill();
      speed = scenario.startSpeed(1);
      await speed.waitForLog('service started');
    }
    expect(await producing).toBe(0);
    await scenario.caughtUp(1);
    for (const pipeline of scenario.pipelines) {
      const { expected } = await expectGroundTruth(scenario, pipeline, scenario.jobId(pipeline, 1));
      expect(expected.results.length).toBeGreaterThan(1000);
      expectedWindows.set(pipeline.name, expected.results.length);
    }
    expect((await scenario.storedLate(scenario.pipelines[0]!, 1)).length, 'late events').toBeGreaterThan(0);
    // every poison record reached the DLQ with its reason, once per pipeline that read it
    const letters = await consumeUntil(scenario.kafka, {
      topics: [`${scenario.topic}.dlq`],
      groupId: `lk-speed-e2e-dlq-${scenario.suffix}`,
      done: (records) => records.length >= poison.length * scenario.pipelines.length,
    });
    expect(new Set(letters.map((l) => l.headers[DeadLetterHeaders.errorClass]))).toEqual(
      new Set(poison.map((p) => p.why)),
    );
    expect(speed.logLines().filter((line) => line.level === 'error')).toEqual([]);
  });

  it('a second version replays from the earliest offset, undisturbed, to the same rows', async () => {
    const v2 = scenario.startSpeed(2);
    await scenario.caughtUp(2);
    for (const pipeline of scenario.pipelines) {
      const v1Rows = await scenario.storedResults(pipeline, 1);
      expect(scenario.differingRows(pipeline, await scenario.storedResults(pipeline, 2), v1Rows)).toEqual([]);
      expect(await scenario.storedLate(pipeline, 2)).toEqual(await scenario.storedLate(pipeline, 1));
    }
    expect(await v2.stop('SIGTERM'), 'SIGTERM: flush, leave the group, exit 0').toBe(0);
    expect(v2.logLines().some((line) => line.event === 'job stopped')).toBe(true);
  });

  it('refuses to start a version with a changed definition, naming the difference', async () => {
    const changedFile = join(scenario.dir, 'changed.yaml');
    scenario.writePipelines(changedFile, (text) =>
      text.replace('allowedLateness: 1m', 'allowedLateness: 2m'),
    );
    const refused = scenario.startSpeed(2, { PIPELINES_FILE: changedFile });
    expect(await refused.exitCode()).toBe(1);
    expect(refused.stderr).toMatch(/already ran with another definition/);
    expect(refused.stderr).toMatch(/allowedLateness: 60000 -> 120000/);
  });

  it("the demo's self-check says equal for every pipeline, and names a stored row altered behind its back", async () => {
    const equal = await scenario.demoCheck('stream');
    expect(equal.code, equal.stderr).toBe(0);
    const lines = equal.stdout.trim().split('\n');
    expect(lines).toHaveLength(scenario.pipelines.length);
    for (const [i, pipeline] of scenario.pipelines.entries()) {
      const windows = expectedWindows.get(pipeline.name)!.toLocaleString('en-US').replaceAll(',', ' ');
      expect(lines[i]).toContain(
        `${pipeline.name}: speed layer v1 = lk-window --mode stream on the same log`,
      );
      expect(lines[i]).toContain(`${windows}/${windows} windows equal`);
    }
    const jobId = scenario.jobId(scenario.pipelines[0]!, 1);
    await scenario.database.query(
      `update window_results set revision = revision + 1
       where (job_id, key, window_start) = (select job_id, key, window_start from window_results
                                            where job_id = $1 order by key, window_start limit 1)`,
      [jobId],
    );
    const altered = await scenario.demoCheck('stream', scenario.pipelines[0]);
    expect(altered.code).toBe(1);
    expect(altered.stdout).toMatch(new RegExp(`${scenario.pipelines[0]!.name}: speed layer v1 ≠ lk-window`));
    expect(altered.stdout).toContain('FAILED: 1 of 1 pipelines differ from the ground truth');
  });
});
