/** Milliseconds per duration unit, largest last. */
export const DURATION_UNITS_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

const WHOLE = /^(?:\d+(?:ms|s|m|h|d))+$/;
const PART = /(\d+)(ms|s|m|h|d)/g;
const WHOLE_FRACTIONAL = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h|d))+$/;
const PART_FRACTIONAL = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/g;

export const DURATION_EXPECTATION = 'a duration like 500ms, 10s, 1m, 1h, 1d';

export interface DurationSyntax {
  /** accept amounts like `1.5s` (rounded to whole milliseconds); pipelines do not, to keep windows exact */
  fractional?: boolean;
}

/**
 * `500ms`, `10s`, `1m`, `1h`, `1d` and concatenations such as `1h30m` → milliseconds; undefined when the text
 * is not such a duration. Bare numbers are refused on purpose: `5` could mean any unit.
 */
export function parseDuration(text: string, syntax: DurationSyntax = {}): number | undefined {
  const [whole, part] = syntax.fractional ? [WHOLE_FRACTIONAL, PART_FRACTIONAL] : [WHOLE, PART];
  if (!whole.test(text)) return undefined;
  let total = 0;
  for (const [, amount, unit] of text.matchAll(part))
    total += Number(amount) * DURATION_UNITS_MS[unit as keyof typeof DURATION_UNITS_MS];
  return Math.round(total);
}
