const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const WHOLE = /^(?:\d+(?:ms|s|m|h|d))+$/;
const PART = /(\d+)(ms|s|m|h|d)/g;

export const DURATION_EXPECTATION = 'a duration like 500ms, 10s, 1m, 1h, 1d';

/**
 * `500ms`, `10s`, `1m`, `1h`, `1d` and concatenations such as `1h30m` → milliseconds; undefined when the text
 * is not such a duration. Bare numbers are refused on purpose: `5` could mean any unit.
 */
export function parseDuration(text: string): number | undefined {
  if (!WHOLE.test(text)) return undefined;
  let total = 0;
  for (const [, amount, unit] of text.matchAll(PART))
    total += Number(amount) * UNIT_MS[unit as keyof typeof UNIT_MS];
  return total;
}
