// The ceiling of our stack: a bare consume + Avro decode loop over a topic, with libs/kafka (kafkajs) and with
// @platformatic/kafka, the client DESIGN.md names as the alternative — what switching would gain.
import type { KafkaClient } from '@lk/kafka';
import { createUserEventDecoder, type SchemaRegistryClient } from '@lk/schemas';

export interface RateResult {
  events: number;
  /** from the start (process spawn / consumer run) to the last event committed */
  totalSeconds: number;
  eventsPerSecond: number;
  /** events between the first and the last progress observed / the time between: start-up excluded */
  steadyEventsPerSecond: number;
}

const round = (value: number, digits = 0): number => Number(value.toFixed(digits));

/** Counts events and times them: "steady" leaves out everything before the first delivery (group join). */
class RateMeter {
  private readonly started = performance.now();
  private first = 0;
  private firstCount = 0;
  count = 0;

  add(records: number): void {
    if (this.first === 0) {
      this.first = performance.now();
      this.firstCount = records;
    }
    this.count += records;
  }

  result(): RateResult {
    const ended = performance.now();
    return {
      events: this.count,
      totalSeconds: round((ended - this.started) / 1000, 2),
      eventsPerSecond: round(this.count / ((ended - this.started) / 1000)),
      steadyEventsPerSecond: round((this.count - this.firstCount) / ((ended - this.first) / 1000)),
    };
  }
}

/** libs/kafka's consumer + createUserEventDecoder on every record, nothing else. */
export async function consumeDecodeLoop(
  kafka: KafkaClient,
  registry: SchemaRegistryClient,
  topic: string,
  group: string,
  total: number,
): Promise<RateResult> {
  const decoder = createUserEventDecoder(registry);
  const consumer = kafka.consumer(group);
  await consumer.connect();
  const meter = new RateMeter();
  let checksum = 0;
  try {
    await new Promise<void>((done, fail) => {
      consumer.waitForStop().catch(fail);
      consumer
        .run({
          topics: [topic],
          fromBeginning: true,
          commit: 'manual',
          eachBatch: async (batch) => {
            for (const record of batch.records) checksum += (await decoder.decode(record.value)).value.amount;
            meter.add(batch.records.length);
            if (meter.count >= total) done();
          },
        })
        .catch(fail);
    });
  } finally {
    await consumer.disconnect();
  }
  if (!Number.isFinite(checksum)) throw new Error('decoded amounts are not numbers');
  return meter.result();
}

/** The same loop on @platformatic/kafka's consumer (its message stream, values as Buffers). */
export async function platformaticConsumeDecodeLoop(
  brokers: string[],
  registry: SchemaRegistryClient,
  topic: string,
  group: string,
  total: number,
): Promise<RateResult> {
  const { Consumer } = await import('@platformatic/kafka');
  const decoder = createUserEventDecoder(registry);
  const consumer = new Consumer({ groupId: group, clientId: 'lk-bench', bootstrapBrokers: brokers });
  const meter = new RateMeter();
  let checksum = 0;
  try {
    const stream = await consumer.consume({ topics: [topic], mode: 'earliest', autocommit: false });
    for await (const message of stream) {
      checksum += (await decoder.decode(message.value as Buffer)).value.amount;
      meter.add(1);
      if (meter.count >= total) break;
    }
    await stream.close();
  } finally {
    await consumer.close(true);
  }
  if (!Number.isFinite(checksum)) throw new Error('decoded amounts are not numbers');
  return meter.result();
}
