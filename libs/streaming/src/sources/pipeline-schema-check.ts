import type avro from 'avsc';
import { RECORD_KEY, RECORD_TIMESTAMP, resolveAggregators, type Pipeline } from '@lk/operators';
import { PipelineSchemaError } from './pipeline-schema-error';

type Use = 'key' | 'time' | 'number' | 'primitive' | 'any';

/** Avro types (avsc type names) whose decoded values each use accepts, besides null in a union. */
const ACCEPTED: Record<Use, { readonly types: ReadonlySet<string>; readonly expected: string }> = {
  key: { types: new Set(['string', 'enum', 'int', 'long']), expected: 'a string, enum, int or long key' },
  time: {
    types: new Set([
      'long',
      'int',
      'logical:timestamp-millis',
      'logical:timestamp-micros',
      'logical:local-timestamp-millis',
      'logical:local-timestamp-micros',
    ]),
    expected: 'epoch milliseconds (a long, int, timestamp-millis or timestamp-micros)',
  },
  number: {
    types: new Set(['int', 'long', 'float', 'double']),
    expected: 'a number (int, long, float or double)',
  },
  primitive: {
    types: new Set(['string', 'enum', 'boolean', 'int', 'long', 'float', 'double']),
    expected: 'a scalar (string, enum, boolean or a number)',
  },
  any: { types: new Set(), expected: 'any value' },
};

/** How a type is named in messages: `string`, `record OrderPayment`, `union [null, string, long]`. */
function describeType(type: avro.Type): string {
  const branches = unionBranches(type);
  if (branches) return `union [${branches.map(describeType).join(', ')}]`;
  const name = type.typeName.replace(/^logical:/, '');
  return type.name ? `${name} ${type.name}` : name;
}

function unionBranches(type: avro.Type): avro.Type[] | undefined {
  return type.typeName.startsWith('union') ? (type as unknown as { types: avro.Type[] }).types : undefined;
}

/** A union's non-null branches (a nullable field), or the type itself. */
function nonNullBranches(type: avro.Type): avro.Type[] {
  return (unionBranches(type) ?? [type]).filter((branch) => branch.typeName !== 'null');
}

/**
 * The type at `path` in a record type: undefined (with what was found instead) when a step is not a field
 * of a record, or of a nullable record.
 */
function typeAt(root: avro.Type, path: string): { type?: avro.Type; problem?: string } {
  let type = root;
  let walked = '';
  for (const step of path.split('.')) {
    const branches = nonNullBranches(type);
    const record = branches.length === 1 && branches[0]!.typeName === 'record' ? branches[0]! : undefined;
    if (record === undefined) {
      return { problem: `${describeType(type)} at "${walked}", which has no fields` };
    }
    const field = (record as avro.types.RecordType).field(step);
    if (field === undefined) {
      const names = (record as avro.types.RecordType).fields.map((f) => f.name).join(', ');
      return { problem: `no field "${step}" in record ${record.name ?? walked} (its fields: ${names})` };
    }
    type = field.type;
    walked = walked ? `${walked}.${step}` : step;
  }
  return { type };
}

function problemWith(type: avro.Type, use: Use): string | undefined {
  if (use === 'any') return undefined;
  const branches = nonNullBranches(type);
  // avsc reads an ambiguous union (say int and long) wrapped, as {"long": 5}: no use takes that
  if (type.typeName === 'union:wrapped' || branches.length === 0) return describeType(type);
  return branches.every((branch) => ACCEPTED[use].types.has(branch.typeName))
    ? undefined
    : describeType(type);
}

/**
 * Checks every path a pipeline reads against the schema its records are read into: `key` and `time` must
 * exist with a key's and an event time's type, an aggregation's field with a type its function takes
 * (numeric for sum, avg, min and max; a scalar for count_distinct). Null in a union is allowed everywhere:
 * a null input is skipped, a null key or time is refused per record. Throws PipelineSchemaError.
 */
export function checkPipelineSchema(pipeline: Pipeline, type: avro.Type, schemaName: string): void {
  const uses: { field: string; path: string; use: Use; what?: string }[] = [];
  if (pipeline.key !== RECORD_KEY) uses.push({ field: 'key', path: pipeline.key, use: 'key' });
  if (pipeline.time !== RECORD_TIMESTAMP) uses.push({ field: 'time', path: pipeline.time, use: 'time' });
  const aggregators = resolveAggregators(pipeline);
  pipeline.aggregations.forEach((aggregation, i) => {
    if (aggregation.field === undefined) return;
    uses.push({
      field: `aggregations[${i}].field`,
      path: aggregation.field,
      use: aggregators[i]!.input,
      what: aggregation.fn,
    });
  });
  for (const { field, path, use, what } of uses) {
    const found = typeAt(type, path);
    const expected = `${ACCEPTED[use].expected}${what ? ` for ${what}` : ''}`;
    const problem = found.problem ?? problemWith(found.type!, use);
    if (problem !== undefined) {
      throw new PipelineSchemaError(pipeline.name, field, path, expected, problem, schemaName);
    }
  }
}
