import { isReservedName } from './reserved-names';

/** `key: $key` groups by the Kafka record key (its bytes read as UTF-8), not by a field of the value. */
export const RECORD_KEY = '$key';
/** `time: $timestamp` takes event time from the Kafka record timestamp, not from a field of the value. */
export const RECORD_TIMESTAMP = '$timestamp';

/** Reads one path of an event: undefined when any step is missing, null or not an object. */
export type FieldReader = (event: object) => unknown;

/**
 * The steps of a dotted path into nested records (`customer.id` → ['customer', 'id']), or undefined with the
 * reason when it is not one: an empty step, or a step naming a property every JavaScript object has
 * (`constructor`, `__proto__`), which would read the prototype instead of the record.
 */
export function pathProblem(path: string): string | undefined {
  const steps = path.split('.');
  if (steps.some((step) => step === '')) return 'has an empty step (two dots, or a dot at an end)';
  const reserved = steps.find(isReservedName);
  if (reserved !== undefined)
    return `has the step "${reserved}", which names a property of every JavaScript object`;
  return undefined;
}

/**
 * A reader of `path`. One step (the common case, `user_id`) is a single property read; longer paths walk
 * own properties only, so a record's prototype is never read whatever a writer names its fields.
 */
export function fieldReader(path: string): FieldReader {
  const steps = path.split('.');
  if (steps.length === 1) {
    const [field] = steps as [string];
    return (event) => (event as Record<string, unknown>)[field];
  }
  return (event) => {
    let value: unknown = event;
    for (const step of steps) {
      if (typeof value !== 'object' || value === null || !Object.hasOwn(value, step)) return undefined;
      value = (value as Record<string, unknown>)[step];
    }
    return value;
  };
}
