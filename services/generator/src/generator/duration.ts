/**
 * Durations as people write them: 500ms, 10s, 1m, 1h, 1d, and sums like 1h30m. A bare number is
 * milliseconds only when it is 0 (a bare "5" is more likely a mistake than 5 ms). Returns milliseconds,
 * or undefined when the text is not a duration, so the caller can name the option in its error.
 */
const unitMs: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const whole = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h|d))+$/;
const part = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/g;

export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (trimmed === '0') return 0;
  if (!whole.test(trimmed)) return undefined;
  let total = 0;
  for (const [, amount, unit] of trimmed.matchAll(part)) total += Number(amount) * unitMs[unit!]!;
  return Math.round(total);
}

/** "1m..10m" (or a single duration, meaning min = max). */
export function parseDurationRange(text: string): { min: number; max: number } | undefined {
  const [first, second, ...rest] = text.split('..');
  if (rest.length > 0 || first === undefined) return undefined;
  const min = parseDuration(first);
  const max = second === undefined ? min : parseDuration(second);
  return min === undefined || max === undefined ? undefined : { min, max };
}

/** The inverse for messages and summaries: 90000 → "1m30s". */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0';
  let rest = Math.round(ms);
  let text = '';
  for (const [unit, size] of Object.entries(unitMs).reverse()) {
    if (rest >= size) {
      const amount = Math.floor(rest / size);
      text += `${amount}${unit}`;
      rest -= amount * size;
    }
  }
  return text;
}
