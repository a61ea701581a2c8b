import { amountDistributionProblem, DEFAULT_AMOUNT, type AmountDistribution } from './amount-distribution';
import { GeneratorOptionError } from './errors';

export interface EventTypeWeight {
  name: string;
  /** relative weight; the probability of a type is its weight over the sum */
  weight: number;
}

/** What a caller may set. seed and startMs are required: the generator reads neither a clock nor entropy. */
export interface GeneratorOptions {
  /** number of records (duplicates included); give this or durationMs */
  count?: number;
  /** wall-clock duration at `rate`; count = rate × duration, so it needs rate > 0 */
  durationMs?: number;
  /** target events per second of wall time; 0 = as fast as possible */
  rate?: number;
  /**
   * events per wall second assumed for event time; defaults to `rate`, or 1000 when rate is 0. Event time
   * is a function of the record index, never of how fast the records were actually sent.
   */
  nominalRate?: number;
  /** simulated event time per wall second, ms (3_600_000 = "an hour of event time per second") */
  eventTimePerSecondMs?: number;
  /** event time of record 0, epoch ms */
  startMs: number;
  seed: number;
  /** number of distinct user_ids */
  keys?: number;
  /** Zipf exponent of the key popularity; 0 = uniform */
  zipf?: number;
  eventTypes?: EventTypeWeight[];
  amount?: AmountDistribution;
  /** max out-of-orderness: ts = nominal − uniform[0, disorderMs] */
  disorderMs?: number;
  /** fraction of new events pushed back beyond the disorder by a lateness drawn from latenessMs */
  lateFraction?: number;
  latenessMs?: { min: number; max: number };
  /** fraction of records that re-send an earlier event (same event_id, same content) */
  duplicateFraction?: number;
  /** a duplicate re-sends one of the last `duplicateDistance` new events */
  duplicateDistance?: number;
  /** fraction of new events written with schema v1 (no country); the rest use v2 */
  v1Fraction?: number;
}

export type ResolvedGeneratorOptions = Required<Omit<GeneratorOptions, 'durationMs'>> & {
  durationMs: number | undefined;
};

export const DEFAULT_EVENT_TYPES: EventTypeWeight[] = [
  { name: 'page_view', weight: 60 },
  { name: 'click', weight: 25 },
  { name: 'add_to_cart', weight: 10 },
  { name: 'purchase', weight: 5 },
];

export const GENERATOR_DEFAULTS = {
  rate: 1000,
  nominalRateWhenUnpaced: 1000,
  eventTimePerSecondMs: 1000,
  keys: 10_000,
  zipf: 1,
  disorderMs: 5_000,
  lateFraction: 0,
  latenessMs: { min: 60_000, max: 600_000 },
  duplicateFraction: 0,
  duplicateDistance: 100,
  v1Fraction: 0.2,
} as const;

/** The CLI flag of each option, so an error names what the person typed. */
export const OPTION_FLAGS: Record<keyof GeneratorOptions, string> = {
  count: '--count',
  durationMs: '--duration',
  rate: '--rate',
  nominalRate: '--nominal-rate',
  eventTimePerSecondMs: '--event-time-per-second',
  startMs: '--start',
  seed: '--seed',
  keys: '--keys',
  zipf: '--zipf',
  eventTypes: '--event-types',
  amount: '--amount',
  disorderMs: '--disorder',
  lateFraction: '--late-fraction',
  latenessMs: '--lateness',
  duplicateFraction: '--duplicates',
  duplicateDistance: '--duplicate-distance',
  v1Fraction: '--v1-fraction',
};

const MAX_KEYS = 10_000_000;
const MAX_COUNT = 2 ** 40;

export function optionError(option: keyof GeneratorOptions, problem: string): GeneratorOptionError {
  return new GeneratorOptionError(option, OPTION_FLAGS[option], problem);
}

/** Fills in defaults and checks every option; throws GeneratorOptionError naming the first bad one. */
export function resolveGeneratorOptions(options: GeneratorOptions): ResolvedGeneratorOptions {
  const rate = options.rate ?? GENERATOR_DEFAULTS.rate;
  check(
    'rate',
    Number.isFinite(rate) && rate >= 0,
    `must be a number >= 0 (0 = as fast as possible), got ${rate}`,
  );

  if (options.count !== undefined && options.durationMs !== undefined)
    throw optionError('durationMs', 'give either a count or a duration, not both');
  let count: number;
  if (options.count !== undefined) {
    count = options.count;
    check(
      'count',
      Number.isInteger(count) && count >= 0 && count <= MAX_COUNT,
      `must be an integer >= 0, got ${count}`,
    );
  } else if (options.durationMs !== undefined) {
    const durationMs = options.durationMs;
    check('durationMs', Number.isFinite(durationMs) && durationMs > 0, `must be > 0, got ${durationMs}`);
    // the count is fixed up front, so the same options always give the same events, however fast Kafka is
    check('durationMs', rate > 0, 'a duration needs a rate > 0 (at full speed, give a count instead)');
    count = Math.round((rate * durationMs) / 1000);
  } else {
    throw optionError('count', 'give a count or a duration');
  }

  const nominalRate = options.nominalRate ?? (rate > 0 ? rate : GENERATOR_DEFAULTS.nominalRateWhenUnpaced);
  check('nominalRate', Number.isFinite(nominalRate) && nominalRate > 0, `must be > 0, got ${nominalRate}`);
  const eventTimePerSecondMs = options.eventTimePerSecondMs ?? GENERATOR_DEFAULTS.eventTimePerSecondMs;
  check(
    'eventTimePerSecondMs',
    Number.isFinite(eventTimePerSecondMs) && eventTimePerSecondMs > 0,
    `must be a duration > 0, got ${eventTimePerSecondMs} ms`,
  );
  check(
    'startMs',
    Number.isSafeInteger(options.startMs),
    `must be an epoch time in ms, got ${options.startMs}`,
  );
  check(
    'seed',
    Number.isSafeInteger(options.seed) && options.seed >= 0,
    `must be an integer >= 0, got ${options.seed}`,
  );

  const keys = options.keys ?? GENERATOR_DEFAULTS.keys;
  check(
    'keys',
    Number.isInteger(keys) && keys >= 1 && keys <= MAX_KEYS,
    `must be an integer in 1..${MAX_KEYS}, got ${keys}`,
  );
  const zipf = options.zipf ?? GENERATOR_DEFAULTS.zipf;
  check(
    'zipf',
    Number.isFinite(zipf) && zipf >= 0 && zipf <= 10,
    `must be an exponent in 0..10, got ${zipf}`,
  );

  const eventTypes = options.eventTypes ?? DEFAULT_EVENT_TYPES;
  check('eventTypes', eventTypes.length > 0, 'needs at least one event type');
  const seen = new Set<string>();
  for (const { name, weight } of eventTypes) {
    check('eventTypes', name.length > 0, 'an event type name is empty');
    check('eventTypes', !seen.has(name), `"${name}" is listed twice`);
    check(
      'eventTypes',
      Number.isFinite(weight) && weight > 0,
      `weight of "${name}" must be > 0, got ${weight}`,
    );
    seen.add(name);
  }

  const amount = options.amount ?? DEFAULT_AMOUNT;
  const amountProblem = amountDistributionProblem(amount);
  if (amountProblem) throw optionError('amount', amountProblem);

  const disorderMs = options.disorderMs ?? GENERATOR_DEFAULTS.disorderMs;
  check(
    'disorderMs',
    Number.isInteger(disorderMs) && disorderMs >= 0,
    `must be a duration >= 0, got ${disorderMs} ms`,
  );
  const lateFraction = options.lateFraction ?? GENERATOR_DEFAULTS.lateFraction;
  checkFraction('lateFraction', lateFraction, 1);
  const latenessMs = options.latenessMs ?? GENERATOR_DEFAULTS.latenessMs;
  check(
    'latenessMs',
    Number.isInteger(latenessMs.min) &&
      Number.isInteger(latenessMs.max) &&
      latenessMs.min >= 1 &&
      latenessMs.max >= latenessMs.min,
    // a lateness of 0 would make a "late" event indistinguishable from one at the disorder bound
    `must be a range MIN..MAX with 1ms <= MIN <= MAX, got ${latenessMs.min}..${latenessMs.max} ms`,
  );
  const duplicateFraction = options.duplicateFraction ?? GENERATOR_DEFAULTS.duplicateFraction;
  checkFraction('duplicateFraction', duplicateFraction, 0.5);
  const duplicateDistance = options.duplicateDistance ?? GENERATOR_DEFAULTS.duplicateDistance;
  check(
    'duplicateDistance',
    Number.isInteger(duplicateDistance) && duplicateDistance >= 1 && duplicateDistance <= 100_000,
    `must be an integer in 1..100000, got ${duplicateDistance}`,
  );
  const v1Fraction = options.v1Fraction ?? GENERATOR_DEFAULTS.v1Fraction;
  checkFraction('v1Fraction', v1Fraction, 1);

  return {
    count,
    durationMs: options.durationMs,
    rate,
    nominalRate,
    eventTimePerSecondMs,
    startMs: options.startMs,
    seed: options.seed,
    keys,
    zipf,
    eventTypes,
    amount,
    disorderMs,
    lateFraction,
    latenessMs,
    duplicateFraction,
    duplicateDistance,
    v1Fraction,
  };
}

function check(option: keyof GeneratorOptions, ok: boolean, problem: string): void {
  if (!ok) throw optionError(option, problem);
}

function checkFraction(option: keyof GeneratorOptions, value: number, max: number): void {
  check(
    option,
    Number.isFinite(value) && value >= 0 && value <= max,
    `must be a fraction in 0..${max}, got ${value}`,
  );
}
