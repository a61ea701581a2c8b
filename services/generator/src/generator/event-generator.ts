import type { UserEventV1, UserEventV2 } from '@lk/schemas';
import { sampleAmount } from './amount-distribution';
import { CdfSampler } from './cdf-sampler';
import { countryOfUser } from './countries';
import type { GeneratedEvent, SchemaVersion } from './generated-event';
import {
  resolveGeneratorOptions,
  type GeneratorOptions,
  type ResolvedGeneratorOptions,
} from './generator-options';
import { SeededRandom } from './seeded-random';
import { zipfSampler } from './zipf';

/**
 * A deterministic stream of UserEvents: a pure function of the options (seed and event-time start
 * included). It reads no clock and no entropy, so iterating it twice, or in another process, gives the
 * same events in the same order.
 *
 * Per record, in this order:
 * - with probability duplicateFraction (once there is an earlier event), re-send one of the last
 *   duplicateDistance new events unchanged (same event_id, same ts);
 * - otherwise a new event: user by Zipf rank (rank 0 = user-000000 is the hottest), event type by weight,
 *   amount from the amount distribution, then its event time: nominal − uniform[0, disorder], or, with
 *   probability lateFraction, nominal − disorder − uniform[lateness.min, lateness.max]; finally its schema
 *   version (v1 with probability v1Fraction).
 * The nominal event time advances by eventTimePerSecond / nominalRate per record, from the index alone.
 */
export class EventGenerator implements Iterable<GeneratedEvent> {
  readonly options: ResolvedGeneratorOptions;
  private readonly keys: CdfSampler;
  private readonly eventTypes: CdfSampler;
  private readonly userIdWidth: number;
  private readonly stepMs: number;

  constructor(options: GeneratorOptions) {
    this.options = resolveGeneratorOptions(options);
    this.keys = zipfSampler(this.options.keys, this.options.zipf);
    this.eventTypes = new CdfSampler(this.options.eventTypes.map((type) => type.weight));
    this.userIdWidth = Math.max(6, String(this.options.keys - 1).length);
    this.stepMs = this.options.eventTimePerSecondMs / this.options.nominalRate;
  }

  /** number of records the stream has (duplicates included) */
  get count(): number {
    return this.options.count;
  }

  nominalTs(index: number): number {
    return this.options.startMs + Math.floor(index * this.stepMs);
  }

  userId(rank: number): string {
    return `user-${String(rank).padStart(this.userIdWidth, '0')}`;
  }

  *[Symbol.iterator](): Iterator<GeneratedEvent> {
    const { count, duplicateFraction, duplicateDistance } = this.options;
    const random = new SeededRandom(this.options.seed);
    const idPrefix = eventIdPrefix(random);
    // ring buffer of the last new events, the candidates for a duplicate
    const recent: GeneratedEvent[] = [];
    let recentNext = 0;
    for (let index = 0; index < count; index++) {
      const nominalTs = this.nominalTs(index);
      if (recent.length > 0 && random.chance(duplicateFraction)) {
        const back = 1 + random.int(recent.length);
        const original = recent[(recentNext - back + recent.length) % recent.length]!;
        yield { ...original, index, nominalTs, duplicate: true };
        continue;
      }
      const generated = this.newEvent(random, index, nominalTs, idPrefix);
      if (duplicateFraction > 0) {
        if (recent.length < duplicateDistance) recent.push(generated);
        else recent[recentNext] = generated;
        recentNext = (recentNext + 1) % duplicateDistance;
      }
      yield generated;
    }
  }

  private newEvent(random: SeededRandom, index: number, nominalTs: number, idPrefix: string): GeneratedEvent {
    const { disorderMs, lateFraction, latenessMs, v1Fraction, amount, seed } = this.options;
    const rank = this.keys.sample(random);
    const eventType = this.options.eventTypes[this.eventTypes.sample(random)]!.name;
    const eventAmount = sampleAmount(amount, random);
    const late = random.chance(lateFraction);
    const ts = late
      ? nominalTs - disorderMs - random.intBetween(latenessMs.min, latenessMs.max)
      : nominalTs - random.intBetween(0, disorderMs);
    const schemaVersion: SchemaVersion = random.chance(v1Fraction) ? 1 : 2;
    const v1: UserEventV1 = {
      event_id: idPrefix + index.toString(16).padStart(12, '0'),
      user_id: this.userId(rank),
      event_type: eventType,
      amount: eventAmount,
      ts,
    };
    const event: UserEventV1 | UserEventV2 =
      schemaVersion === 1 ? v1 : { ...v1, country: countryOfUser(rank, seed) };
    return { index, event, schemaVersion, nominalTs, late, duplicate: false };
  }
}

/**
 * event_id is UUID-shaped: 80 bits drawn from the seed (so runs with different seeds do not collide) and
 * the record index in the last 48 bits (so ids are unique within a run by construction, not by luck).
 */
function eventIdPrefix(random: SeededRandom): string {
  const hex = (value: number, digits: number): string =>
    (value >>> 0).toString(16).padStart(8, '0').slice(-digits);
  const a = random.nextUint32();
  const b = random.nextUint32();
  const c = random.nextUint32();
  const variant = (8 | (c >>> 30)).toString(16);
  return `${hex(a, 8)}-${hex(b >>> 16, 4)}-4${hex(b, 3)}-${variant}${hex(c, 3)}-`;
}
