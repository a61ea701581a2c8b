import { SUM_ABSOLUTE_TOLERANCE, SUM_RELATIVE_TOLERANCE, type AggregationSpec } from '@lk/operators';
import { sqlInteger, sqlLiteral } from './sql-literal';

/** Aggregations whose results are doubles that depend on summation order: compared within the tolerance. */
export const TOLERANT_FUNCTIONS: ReadonlySet<string> = new Set(['sum', 'avg']);
/** Aggregations whose accumulators the comparison can add late events to, in SQL. */
const ADJUSTABLE_FUNCTIONS: ReadonlySet<string> = new Set([
  'count',
  'sum',
  'min',
  'max',
  'avg',
  'count_distinct',
]);
/** Their accumulators are not their result (avg: [sum, count]; count_distinct: the values seen). */
const NEEDS_ACCUMULATORS: ReadonlySet<string> = new Set(['avg', 'count_distinct']);

/** `values->'name'` with a missing name read as JSON null, as the library's resultValuesEqual reads it. */
export function valueOf(values: string, name: string): string {
  return `coalesce(${values} -> ${sqlLiteral(name)}, 'null'::jsonb)`;
}

/** A jsonb value as a double, or NULL when it is not a number. */
function numberOf(json: string): string {
  return `(case when jsonb_typeof(${json}) = 'number' then (${json})::float8 end)`;
}

/**
 * True when two `values` objects are equal under the library's policy (valuesEqual): count, min, max and
 * count_distinct exactly, sum and avg within SUM_RELATIVE_TOLERANCE (with SUM_ABSOLUTE_TOLERANCE near 0).
 * Inline expressions only: an SQL function would not be inlined for arguments this size, and calling one per
 * row costs more than the whole join.
 */
export function valuesEqualSql(
  aggregations: readonly AggregationSpec[],
  left: string,
  right: string,
  /** columns already holding each tolerant aggregation's value as float8 (jsonb → float8 goes through text) */
  numbers?: (side: 'left' | 'right', name: string) => string,
): string {
  if (aggregations.length === 0) return 'true';
  return aggregations
    .map(({ name, fn }) => {
      const exact = `${valueOf(left, name)} = ${valueOf(right, name)}`;
      if (!TOLERANT_FUNCTIONS.has(fn)) return exact;
      // sum and avg results are numbers or null (the operators' own output)
      const a = numbers?.('left', name) ?? floatOf(left, name);
      const b = numbers?.('right', name) ?? floatOf(right, name);
      const tolerance = `greatest(${SUM_RELATIVE_TOLERANCE} * greatest(abs(${a}), abs(${b})), ${SUM_ABSOLUTE_TOLERANCE})`;
      return `(${exact} or coalesce(abs(${a} - ${b}) <= ${tolerance}, false))`;
    })
    .join(' and ');
}

/** A sum or avg result (a number or null, as the operators write them) as float8. */
export function floatOf(values: string, name: string): string {
  return `(${values} ->> ${sqlLiteral(name)})::float8`;
}

/** |a − b| of two float8 expressions, NULL when either is. */
export function absoluteDifferenceSql(a: string, b: string): string {
  return `abs(${a} - ${b})`;
}

/** |a − b| / max(|a|, |b|) of two float8 expressions, NULL when either is, and when both are 0. */
export function relativeDifferenceSql(a: string, b: string): string {
  return `(abs(${a} - ${b}) / nullif(greatest(abs(${a}), abs(${b})), 0))`;
}

/**
 * The result an island gives once its parts are combined: one side's rows of a window (several for sessions
 * that a late event re-merges) and the late events that side dropped for it, as a `values` object — what the
 * window would hold had nothing been late. Aggregate expressions over rows with columns
 * `is_row, values, accumulators, event` (a row: values and accumulators; a late event: the event).
 *
 * One part alone that is a row is its own result (whatever the function). Otherwise counts, sums, min and max
 * combine from the rows' values; avg and count_distinct from their accumulators ([sum, count]; the distinct
 * values), which final windows keep; a result that cannot be combined (no accumulators, a user-defined
 * function) is NULL, and a NULL never compares equal.
 */
/**
 * The JSON at a pipeline field's path in a late event: `event -> 'amount'` for a field, `event #> array[...]`
 * for a dotted path into nested records (`payment.amount_cents`), each step its own literal.
 */
function eventPathSql(field: string): string {
  const steps = field.split('.');
  return steps.length === 1
    ? `event -> ${sqlLiteral(field)}`
    : `event #> array[${steps.map(sqlLiteral).join(', ')}]::text[]`;
}

export function adjustedValuesSql(aggregations: readonly AggregationSpec[]): string {
  const pairs: string[] = [];
  const combinable: string[] = [];
  aggregations.forEach(({ name, fn, field }, index) => {
    const value = `values -> ${sqlLiteral(name)}`;
    const accumulator = `accumulators -> ${sqlInteger(index)}`;
    const input = field === undefined ? 'event' : `nullif(${eventPathSql(field)}, 'null'::jsonb)`;
    const fromRows = (rowPart: string, eventPart: string): string =>
      `case when is_row then ${rowPart} else ${eventPart} end`;
    let expression: string;
    switch (fn) {
      case 'count':
        expression = `to_jsonb(coalesce(sum(${fromRows(numberOf(value), `(case when ${input} is not null then 1 else 0 end)`)}), 0))`;
        break;
      case 'sum':
        expression = `to_jsonb(coalesce(sum(${fromRows(numberOf(value), numberOf(input))}), 0))`;
        break;
      case 'min':
      case 'max':
        expression = `coalesce(to_jsonb(${fn}(${fromRows(numberOf(value), numberOf(input))})), 'null'::jsonb)`;
        break;
      case 'avg': {
        const total = `sum(${fromRows(numberOf(`${accumulator} -> 0`), numberOf(input))})`;
        const count = `sum(${fromRows(numberOf(`${accumulator} -> 1`), `(case when jsonb_typeof(${input}) = 'number' then 1 else 0 end)`)})`;
        expression = `(case when ${count} > 0 then to_jsonb(${total} / ${count}) else 'null'::jsonb end)`;
        break;
      }
      case 'count_distinct':
        expression =
          `to_jsonb((select count(distinct element.value) from jsonb_array_elements(` +
          `jsonb_agg(${fromRows(accumulator, `(case when ${input} is null then '[]'::jsonb else jsonb_build_array(${input}) end)`)})` +
          `) part, jsonb_array_elements(part.value) element))`;
        break;
      default:
        expression = `'null'::jsonb`;
    }
    if (!ADJUSTABLE_FUNCTIONS.has(fn)) combinable.push('false');
    else if (NEEDS_ACCUMULATORS.has(fn))
      combinable.push(`bool_and(not is_row or jsonb_typeof(${accumulator}) = 'array')`);
    pairs.push(sqlLiteral(name), expression);
  });
  const combined = pairs.length === 0 ? `'{}'::jsonb` : `jsonb_build_object(${pairs.join(', ')})`;
  const whenCombinable = combinable.length === 0 ? 'true' : combinable.join(' and ');
  return `(case when count(*) = 1 and bool_and(is_row) then (jsonb_agg(values)) -> 0
                when ${whenCombinable} then ${combined} end)`;
}
