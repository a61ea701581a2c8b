/**
 * Names that would collide with JavaScript's Object.prototype when used as a key of a result's `values`:
 * `values.__proto__ = 3` is silently ignored, and `constructor`, `toString` or `hasOwnProperty` shadow what
 * consumers of the rows (and their libraries) expect to find there. Refusing them is simpler and safer than
 * building every `values` object without a prototype.
 */
export const RESERVED_NAMES: readonly string[] = [
  '__proto__',
  '__defineGetter__',
  '__defineSetter__',
  '__lookupGetter__',
  '__lookupSetter__',
  'constructor',
  'hasOwnProperty',
  'isPrototypeOf',
  'propertyIsEnumerable',
  'toLocaleString',
  'toString',
  'valueOf',
];
// Spelled out rather than read from Object.getOwnPropertyNames(Object.prototype), so that what a pipeline
// file accepts does not depend on the JavaScript engine.
const RESERVED = new Set(RESERVED_NAMES);

export function isReservedName(name: string): boolean {
  return RESERVED.has(name);
}
