// What the stack benchmarks share: child processes, pre-filling a topic with the generator, a topic's end
// offsets, and Kafka's own consumer as the yardstick.
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import type { KafkaClient } from '@lk/kafka';

export const root = resolve(__dirname, '..', '..');
export const GENERATE = join(root, 'services/generator/dist/cli/generate.js');
const KAFKA_LIBS = join(root, '.cache/kafka-4.4.0/libs');

export function runChild(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  return new Promise((done, fail) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code) =>
      code === 0
        ? done(stdout)
        : fail(new Error(`${command} ${args.join(' ')} exited ${code}: ${stderr.slice(-2000)}`)),
    );
  });
}

/** The generator CLI: `count` events over 10 k keys into a fresh 12-partition topic, as fast as it can. */
export async function prefill(topic: string, count: number): Promise<void> {
  await runChild(process.execPath, [
    GENERATE,
    ...['--max', '--keys', '10000', '--count', String(count), '--seed', '7'],
    ...['--topic', topic, '--create-topic', '--partitions', '12', '--no-progress'],
  ]);
}

export async function endOffsetTotal(kafka: KafkaClient, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return [...(await admin.endOffsets(topic)).values()].reduce((sum, offset) => sum + Number(offset), 0);
  } finally {
    await admin.disconnect();
  }
}

export interface ConsumerPerfResult {
  records: number;
  /** records / (end − start), the rebalance included */
  recordsPerSecond: number;
  /** records / fetch time (the rebalance excluded): comparable with the "steady" figures */
  fetchRecordsPerSecond: number;
}

/** Kafka's own consumer (`org.apache.kafka.tools.ConsumerPerformance`), with the machine's java. */
export async function consumerPerformance(
  brokers: string[],
  topic: string,
  group: string,
  records: number,
): Promise<ConsumerPerfResult> {
  const output = await runChild('java', [
    '-Xmx256m',
    `-Dlog4j2.configurationFile=${join(root, 'infra/kafka/log4j2-tools.properties')}`,
    '-cp',
    `${KAFKA_LIBS}/*`,
    'org.apache.kafka.tools.ConsumerPerformance',
    ...['--bootstrap-server', brokers.join(','), '--topic', topic, '--group', group],
    ...['--num-records', String(records), '--timeout', '60000'],
  ]);
  // start.time, end.time, MB, MB.sec, nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec
  const line = output.trim().split('\n').at(-1)!.split(',');
  return {
    records: Number(line[4]),
    recordsPerSecond: Math.round(Number(line[5])),
    fetchRecordsPerSecond: Math.round(Number(line[9])),
  };
}
