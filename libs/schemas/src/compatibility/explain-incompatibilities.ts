import avro from 'avsc';
import type { AvroField, AvroRecordSchema } from '../user-event';

/**
 * What breaks between two versions of a record schema, field by field, in words a person can act on.
 * Both directions are checked: new readers of old records (BACKWARD) and old readers of new records
 * (FORWARD) — the latter matters here because an older pipeline version keeps running beside the new one
 * until a Kappa cutover, reading what the new producers write. avsc's schema resolution is the authority;
 * the field walk only explains it. Returns [] when both directions resolve.
 */
export function explainIncompatibilities(previous: AvroRecordSchema, next: AvroRecordSchema): string[] {
  const previousType = avro.Type.forSchema(previous as avro.Schema);
  const nextType = avro.Type.forSchema(next as avro.Schema);
  const backwardError = resolveError(nextType, previousType);
  const forwardError = resolveError(previousType, nextType);
  if (!backwardError && !forwardError) return [];

  const problems: string[] = [];
  const previousFields = new Map(previous.fields.map((field) => [field.name, field]));
  const nextFields = new Map(next.fields.map((field) => [field.name, field]));
  for (const [name, field] of previousFields) {
    if (nextFields.has(name) || field.default !== undefined) continue;
    problems.push(
      `field "${name}" (${describeType(field.type)}) was removed, and the previous version gives it no default: ` +
        'readers still on the previous version (an older pipeline running until cutover) cannot read new records. ' +
        'Keep the field, or first release a version that gives it a default.',
    );
  }
  for (const [name, field] of nextFields) {
    if (previousFields.has(name) || field.default !== undefined) continue;
    problems.push(
      `field "${name}" (${describeType(field.type)}) was added without a default: readers on the new version ` +
        'cannot read records written before it. Give it a default, e.g. type ["null", ...] with default null.',
    );
  }
  for (const [name, nextField] of nextFields) {
    const previousField = previousFields.get(name);
    if (previousField) problems.push(...explainTypeChange(previousField, nextField));
  }
  if (problems.length === 0) {
    problems.push(`schemas do not resolve: ${backwardError ?? forwardError}`);
  }
  return problems;
}

function explainTypeChange(previous: AvroField, next: AvroField): string[] {
  const previousType = avro.Type.forSchema(previous.type as avro.Schema);
  const nextType = avro.Type.forSchema(next.type as avro.Schema);
  const newReadsOld = !resolveError(nextType, previousType);
  const oldReadsNew = !resolveError(previousType, nextType);
  if (newReadsOld && oldReadsNew) return [];
  const change = `field "${next.name}" changed type from ${describeType(previous.type)} to ${describeType(next.type)}`;
  if (!newReadsOld && !oldReadsNew) {
    return [
      `${change}: neither version can read the other's records. ` +
        'Add a new field with the new type (with a default) instead, and stop writing the old one later.',
    ];
  }
  return newReadsOld
    ? [
        `${change}: a widening new readers accept, but readers still on the previous version cannot read new records.`,
      ]
    : [`${change}: readers on the new version cannot read records written with the previous one.`];
}

function resolveError(reader: avro.Type, writer: avro.Type): string | null {
  try {
    reader.createResolver(writer);
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}

function describeType(type: unknown): string {
  if (typeof type === 'string') return type;
  if (Array.isArray(type)) return `[${type.map(describeType).join(', ')}]`;
  const named = type as { type?: unknown; logicalType?: string; name?: string };
  if (named.logicalType) return `${describeType(named.type)} (${named.logicalType})`;
  return named.name ?? String(named.type);
}
