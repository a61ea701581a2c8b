import type { AggregationSpec } from '../pipeline/types';

/**
 * The one equality policy for aggregation results, used wherever two runs are compared (the merge service's
 * Lambda-vs-Kappa comparison, the property tests). Results of count, min, max and count_distinct compare
 * exactly: they are integers or one of the input values, whatever the order of the events. sum and avg are
 * IEEE doubles whose last bits depend on summation order (a batch run adds a window's events one by one, a
 * stream run adds the late side output's sum to its own, sessions merge partial sums), so they compare within
 *
 *   |a − b| ≤ max(SUM_RELATIVE_TOLERANCE · max(|a|, |b|), SUM_ABSOLUTE_TOLERANCE)
 *
 * The relative term is DESIGN.md's 1e-9: order changes a sum by a few units in the last place of its partial
 * sums (2^-53 ≈ 1.1e-16 relative each), far below 1e-9 for any realistic number of additions. The absolute
 * floor is needed because rounding error scales with the magnitude of the terms, not of the result: refunds
 * cancelling purchases (+19.99, −19.99, …) give sums of about 0 whose bits differ by ~1e-15 between orders,
 * a relative difference of 100 %. 1e-6 lies ~1000× above the accumulated noise of a million additions of
 * amounts up to 10 000 (√n · 2^-53 · 10^4 ≈ 1e-9), and 10^4× below a cent, the smallest real difference of
 * money amounts: a missing, duplicated or changed event still shows.
 */
export const SUM_RELATIVE_TOLERANCE = 1e-9;
/** The absolute floor of the sum/avg tolerance, for results near 0 (see SUM_RELATIVE_TOLERANCE). */
export const SUM_ABSOLUTE_TOLERANCE = 1e-6;

/** The aggregation functions compared within the tolerance; every other one (user-defined too) exactly. */
const ORDER_DEPENDENT = new Set(['sum', 'avg']);

/**
 * Whether two results of one aggregation (`fn` as in the pipeline: count, sum, …) are equal under the policy.
 * null (no values) equals only null; a non-finite value only an identical one.
 */
export function valuesEqual(fn: string, a: number | null, b: number | null): boolean {
  if (a === b) return true;
  if (a === null || b === null || !ORDER_DEPENDENT.has(fn)) return false;
  // Infinity·1e-9 is Infinity: an overflowed sum must not equal every finite one.
  if (!(Number.isFinite(a) && Number.isFinite(b))) return false;
  const scale = Math.max(Math.abs(a), Math.abs(b));
  return Math.abs(a - b) <= Math.max(SUM_RELATIVE_TOLERANCE * scale, SUM_ABSOLUTE_TOLERANCE);
}

/** valuesEqual for every aggregation of a pipeline, over two results' `values` (missing counts as null). */
export function resultValuesEqual(
  aggregations: readonly AggregationSpec[],
  a: Readonly<Record<string, number | null>>,
  b: Readonly<Record<string, number | null>>,
): boolean {
  const value = (values: Readonly<Record<string, number | null>>, name: string): number | null =>
    Object.hasOwn(values, name) ? (values[name] ?? null) : null;
  return aggregations.every(({ name, fn }) => valuesEqual(fn, value(a, name), value(b, name)));
}
