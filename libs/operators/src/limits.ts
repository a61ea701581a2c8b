/**
 * The numeric bounds the operators enforce, in one place. Each exists because a value beyond it once froze,
 * exhausted or silently corrupted an operator (issue 7); pipeline validation refuses them with the field named.
 */

/** Kafka partition numbers are int32 and never negative. */
export const MAX_PARTITION = 2 ** 31 - 1;

/**
 * Event times are integers of epoch milliseconds within the range of a JavaScript `Date` (±8.64e15, about
 * ±273 790 years). That range leaves room below 2^53 for `time ± window size + allowedLateness`, so every
 * window bound and watermark comparison is exact integer arithmetic; 1e300 would otherwise absorb the window
 * size and vanish (no window contains it) while moving the watermark to 1e300.
 */
export const MAX_EVENT_TIME_MS = 8.64e15;

/** The longest duration a pipeline may give (window size, slide, offset, gap, lateness, skew): 36500d. */
export const MAX_DURATION_MS = 36_500 * 86_400_000;

/**
 * A sliding window of `size` and `slide` puts up to `ceil(size / slide)` windows on every event, each costing
 * work per event and state per key: 1d/1ms would be 86.4 M windows per event. 1000 is far above any useful
 * hopping window (a 1h window sliding every 4s) and keeps the per-event scratch buffer at 8 KB.
 */
export const MAX_WINDOWS_PER_EVENT = 1_000;

/**
 * A key is stored in every result row, and PostgreSQL refuses a btree index entry above 2 704 bytes: a longer
 * key (a 60 kB string from a careless producer) would fail every flush of its partition, stalling the job. 512
 * UTF-16 code units stay below 1 600 bytes of UTF-8 (BMP characters take at most 3 bytes, a surrogate pair 4).
 */
export const MAX_KEY_LENGTH = 512;
