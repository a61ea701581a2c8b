import type { OutgoingRecord } from '@lk/kafka';
import type { UserEventV1, UserEventV2 } from '@lk/schemas';
import type { GeneratedEvent, SchemaVersion } from '../generator/generated-event';
import { systemClock, type Clock } from './clock';
import { PartitionMismatchError } from './errors';
import { jsonlLine } from './jsonl-line';
import { partitionForKey } from '@lk/kafka';
import { Pacer } from './pacer';
import type { ProductionSummary } from './production-summary';
import { ProductionTally } from './production-tally';
import type { RecordSender } from './record-sender';

export interface EventEncoder {
  encode(event: UserEventV1 | UserEventV2, version: SchemaVersion): Promise<Buffer>;
}

export interface LineSink {
  writeLines(lines: string[]): Promise<void>;
}

export interface ProgressSink {
  update(done: number): void;
  finish(done: number): void;
}

export interface EventProducerOptions {
  topic: string;
  /** partition count of the topic, to know which partition each key goes to */
  partitions: number;
  sender: RecordSender;
  encoder: EventEncoder;
  /** events per second; 0 = as fast as possible */
  rate: number;
  /** most records per send (default 1000) */
  maxBatchSize?: number;
  /** gets one line per record produced, with its partition and offset */
  jsonl?: LineSink;
  progress?: ProgressSink;
  clock?: Clock;
  /**
   * The record timestamp of a send, epoch ms (default Date.now: the wall clock, as Kafka's CreateTime would
   * be). Set explicitly on every record so the JSONL line can name it; event time is simulated and may run
   * far from it, and the broker refuses timestamps too far ahead (log.message.timestamp.after.max.ms).
   */
  recordTime?: () => number;
  /** stops after the batch in flight; the summary says interrupted */
  signal?: AbortSignal;
}

export const DEFAULT_MAX_BATCH_SIZE = 1000;

/**
 * Sends generated events to a topic, keyed by user_id, in batches paced to the rate. Encoding of the next
 * batch overlaps with the send of the current one; sends stay one at a time, so records keep their order
 * (the idempotent producer allows one request in flight).
 *
 * A send returns one base offset per partition it touched, and records of one partition in one send get
 * consecutive offsets in order; knowing each record's partition (Kafka's murmur2 of the key, checked
 * against the partitions the send reports) gives each record its exact offset.
 */
export class EventProducer {
  private readonly maxBatchSize: number;
  private readonly clock: Clock;

  constructor(private readonly options: EventProducerOptions) {
    this.maxBatchSize = options.maxBatchSize ?? DEFAULT_MAX_BATCH_SIZE;
    if (!Number.isInteger(this.maxBatchSize) || this.maxBatchSize < 1)
      throw new RangeError(`maxBatchSize must be an integer >= 1, got ${this.maxBatchSize}`);
    if (!Number.isInteger(options.partitions) || options.partitions < 1)
      throw new RangeError(`partitions must be an integer >= 1, got ${options.partitions}`);
    this.clock = options.clock ?? systemClock;
  }

  async produce(events: Iterable<GeneratedEvent>, total: number): Promise<ProductionSummary> {
    const { rate, encoder, signal, progress } = this.options;
    const tally = new ProductionTally(this.options.partitions);
    const pacer = new Pacer(rate, this.clock);
    const batchSize = Pacer.batchSize(rate, this.maxBatchSize);
    const iterator = events[Symbol.iterator]();
    const startedAt = this.clock.now();
    let inFlight: Promise<void> | undefined;
    let exhausted = false;
    try {
      while (!signal?.aborted) {
        const batch = take(iterator, batchSize);
        if (batch.length === 0) {
          exhausted = true;
          break;
        }
        await pacer.acquire(batch.length);
        const values = await Promise.all(batch.map((g) => encoder.encode(g.event, g.schemaVersion)));
        const records: OutgoingRecord[] = batch.map((g, i) => ({ key: g.event.user_id, value: values[i]! }));
        if (inFlight) await inFlight;
        inFlight = this.sendBatch(batch, records, tally);
        // a failed send is awaited (and thrown) before the next one; until then it is not "unhandled"
        inFlight.catch(() => undefined);
      }
      if (inFlight) await inFlight;
    } finally {
      progress?.finish(tally.sent);
    }
    const elapsedMs = this.clock.now() - startedAt;
    return tally.summary(this.options.topic, elapsedMs, !exhausted && tally.sent < total);
  }

  private async sendBatch(
    batch: GeneratedEvent[],
    records: OutgoingRecord[],
    tally: ProductionTally,
  ): Promise<void> {
    const { topic, partitions, sender, jsonl, progress } = this.options;
    const predicted = records.map((record) => partitionForKey(record.key!, partitions));
    const timestamp = (this.options.recordTime ?? Date.now)();
    for (const record of records) record.timestamp = timestamp;
    const positions = await sender.send(topic, records);
    const nextOffset = new Map(positions.map((position) => [position.partition, position.baseOffset]));
    const predictedSet = [...new Set(predicted)].sort((a, b) => a - b);
    const actualSet = [...nextOffset.keys()].sort((a, b) => a - b);
    if (predictedSet.join() !== actualSet.join() || positions.some((p) => p.baseOffset < 0n))
      throw new PartitionMismatchError(topic, predictedSet, actualSet);
    const lines: string[] = [];
    for (let i = 0; i < batch.length; i++) {
      const partition = predicted[i]!;
      const offset = nextOffset.get(partition)!;
      nextOffset.set(partition, offset + 1n);
      if (jsonl) lines.push(jsonlLine(batch[i]!, partition, offset, timestamp));
      tally.add(batch[i]!, partition);
    }
    await jsonl?.writeLines(lines);
    progress?.update(tally.sent);
  }
}

function take<T>(iterator: Iterator<T>, n: number): T[] {
  const items: T[] = [];
  while (items.length < n) {
    const next = iterator.next();
    if (next.done) break;
    items.push(next.value);
  }
  return items;
}
