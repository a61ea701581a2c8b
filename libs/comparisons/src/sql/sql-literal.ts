/**
 * A string as an SQL literal (standard_conforming_strings, the default since PostgreSQL 9.1: only the quote
 * is special). Comparison statements are composed from parts (a source's rows, its partitions), so values the
 * code resolved itself — job ids, pipeline and aggregation names — are inlined rather than numbered.
 */
export function sqlLiteral(value: string): string {
  if (value.includes('\0')) throw new Error('an SQL literal cannot hold a NUL character');
  return `'${value.replaceAll("'", "''")}'`;
}

/** An integer (epoch ms, a duration, an index) for an SQL statement; anything else is a bug. */
export function sqlInteger(value: number): string {
  if (!Number.isSafeInteger(value)) throw new Error(`not a safe integer for SQL: ${value}`);
  return String(value);
}

/** A text[] literal of these strings (empty: an empty array). */
export function sqlTextArray(values: readonly string[]): string {
  return `array[${values.map(sqlLiteral).join(', ')}]::text[]`;
}
