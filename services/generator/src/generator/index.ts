export { GeneratorOptionError } from './errors';
export { SeededRandom } from './seeded-random';
export { CdfSampler } from './cdf-sampler';
export { harmonic, zipfSampler, zipfWeights } from './zipf';
export { formatDuration, parseDuration, parseDurationRange } from './duration';
export {
  DEFAULT_AMOUNT,
  parseAmountDistribution,
  sampleAmount,
  type AmountDistribution,
} from './amount-distribution';
export {
  DEFAULT_EVENT_TYPES,
  GENERATOR_DEFAULTS,
  OPTION_FLAGS,
  resolveGeneratorOptions,
  type EventTypeWeight,
  type GeneratorOptions,
  type ResolvedGeneratorOptions,
} from './generator-options';
export type { GeneratedEvent, SchemaVersion } from './generated-event';
export { countryOfUser } from './countries';
export { EventGenerator } from './event-generator';
