/** Typed columns grow by half again: doubling would leave up to 50 % of a large state unused. */
export function nextCapacity(current: number): number {
  return Math.max(64, Math.ceil(current * 1.5));
}

export function growFloat64(column: Float64Array, capacity: number, fill = 0): Float64Array<ArrayBuffer> {
  const grown = new Float64Array(capacity);
  grown.set(column);
  if (fill !== 0) grown.fill(fill, column.length);
  return grown;
}

export function growInt32(column: Int32Array, capacity: number, fill = 0): Int32Array<ArrayBuffer> {
  const grown = new Int32Array(capacity);
  grown.set(column);
  if (fill !== 0) grown.fill(fill, column.length);
  return grown;
}
