import { DURATION_UNITS_MS, parseDuration as parseDurationText } from '@lk/operators';

/**
 * Durations as people write them on the command line: the pipelines' syntax (500ms, 10s, 1m, 1h, 1d, sums
 * like 1h30m) plus fractional amounts (1.5s) and a bare 0. A bare non-zero number is refused (a bare "5" is
 * more likely a mistake than 5 ms). Returns milliseconds, or undefined when the text is not a duration, so
 * the caller can name the option in its error.
 */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  return trimmed === '0' ? 0 : parseDurationText(trimmed, { fractional: true });
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
  for (const [unit, size] of Object.entries(DURATION_UNITS_MS).reverse()) {
    if (rest >= size) {
      const amount = Math.floor(rest / size);
      text += `${amount}${unit}`;
      rest -= amount * size;
    }
  }
  return text;
}
