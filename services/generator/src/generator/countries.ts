import { CdfSampler } from './cdf-sampler';

/**
 * A user's country (schema v2) is a property of the user, not of the event: a hash of the user's index and
 * the seed picks it, so it is the same on every event of that user. About 5 % of users have none (null),
 * so consumers see the union's null branch too.
 */
const COUNTRIES: { code: string | null; weight: number }[] = [
  { code: 'US', weight: 30 },
  { code: 'DE', weight: 12 },
  { code: 'GB', weight: 10 },
  { code: 'FR', weight: 9 },
  { code: 'IN', weight: 9 },
  { code: 'BR', weight: 8 },
  { code: 'JP', weight: 7 },
  { code: 'CA', weight: 5 },
  { code: 'NL', weight: 5 },
  { code: null, weight: 5 },
];

const sampler = new CdfSampler(COUNTRIES.map((country) => country.weight));

export function countryOfUser(userIndex: number, seed: number): string | null {
  return COUNTRIES[sampler.indexOf(hashToUnit(userIndex, seed))]!.code;
}

/** A 32-bit integer hash (murmur3's finalizer) of (userIndex, seed), as a number in [0, 1). */
function hashToUnit(userIndex: number, seed: number): number {
  let h = (userIndex ^ Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.floor(seed / 2 ** 32)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 2 ** 32;
}
