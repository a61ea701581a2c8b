import { parse as parseYaml } from 'yaml';
import type { AggregatorRegistry } from '../aggregators/aggregator';
import { BUILTIN_AGGREGATORS, isBuiltinAggregator } from '../aggregators/builtins';
import { PipelineConfigError } from '../errors';
import { MAX_DURATION_MS, MAX_WINDOWS_PER_EVENT } from '../limits';
import { DURATION_EXPECTATION, parseDuration } from './duration';
import { pathProblem, RECORD_KEY, RECORD_TIMESTAMP } from './field-path';
import { isReservedName } from './reserved-names';
import { stateRetentionProblem } from './state-retention';
import {
  RECORD_FORMATS,
  type AggregationSpec,
  type Pipeline,
  type RecordFormat,
  type WindowSpec,
} from './types';

export interface ParsePipelinesOptions {
  /** User-defined aggregators that an aggregation's `fn` may name besides the built-ins. */
  readonly aggregators?: AggregatorRegistry;
}

type Fields = Record<string, unknown>;

const PIPELINE_KEYS = [
  'name',
  'source',
  'key',
  'time',
  'window',
  'watermark',
  'allowedLateness',
  'maxEventTimeSkew',
  'stateRetention',
  'aggregations',
  'format',
  'subject',
] as const;
const MAX_DURATION_TEXT = `${MAX_DURATION_MS / 86_400_000}d`;
const WINDOW_KEYS = {
  tumbling: ['type', 'size', 'offset'],
  sliding: ['type', 'size', 'slide', 'offset'],
  session: ['type', 'gap'],
} as const;
// Pipeline names end up in Kafka topic and consumer group names, so they keep to Kafka's alphabet.
const PIPELINE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
// Aggregation names become JSON keys and SQL-friendly column names.
const AGGREGATION_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Parses and validates the text of pipelines.yaml (a YAML list of pipelines). */
export function parsePipelines(yamlText: string, options: ParsePipelinesOptions = {}): Pipeline[] {
  let document: unknown;
  try {
    document = parseYaml(yamlText);
  } catch (error) {
    throw new PipelineConfigError({
      field: 'yaml',
      expected: 'valid YAML',
      detail: (error as Error).message,
    });
  }
  return validatePipelines(document, options);
}

/** Validates an already-parsed pipelines document (for callers that read YAML or JSON themselves). */
export function validatePipelines(document: unknown, options: ParsePipelinesOptions = {}): Pipeline[] {
  if (!Array.isArray(document)) {
    throw new PipelineConfigError({ field: '(document)', expected: 'a list of pipelines', got: document });
  }
  const pipelines = document.map((entry: unknown, index) => validatePipeline(entry, index, options));
  const seen = new Set<string>();
  for (const [index, pipeline] of pipelines.entries()) {
    if (seen.has(pipeline.name)) {
      throw new PipelineConfigError({
        index,
        field: 'name',
        expected: 'a name no other pipeline uses',
        got: pipeline.name,
      });
    }
    seen.add(pipeline.name);
  }
  return pipelines;
}

/** The pipeline called `name`, or a PipelineConfigError listing the ones that exist. */
export function findPipeline(pipelines: readonly Pipeline[], name: string): Pipeline {
  const found = pipelines.find((pipeline) => pipeline.name === name);
  if (found === undefined) {
    throw new PipelineConfigError({
      pipeline: name,
      field: 'name',
      expected: `one of the defined pipelines (${pipelines.map((p) => p.name).join(', ') || 'none'})`,
      detail: 'no such pipeline',
    });
  }
  return found;
}

/** Validation of one pipeline: each check names the field it is about and what it wanted. */
class PipelineChecker {
  pipeline: string | undefined;

  constructor(readonly index: number) {}

  fail(field: string, expected: string, got: unknown, detail?: string): never {
    throw new PipelineConfigError({
      pipeline: this.pipeline,
      index: this.index,
      field,
      expected,
      got,
      detail,
    });
  }

  /** `field` is '' for the pipeline itself, whose keys are then named bare. */
  mapping(value: unknown, field: string, allowed: readonly string[]): Fields {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      this.fail(field || '(pipeline)', `a mapping with keys ${allowed.join(', ')}`, value);
    }
    return value as Fields;
  }

  /** A mapping with no keys besides `allowed`. */
  object(value: unknown, field: string, allowed: readonly string[]): Fields {
    for (const key of Object.keys(this.mapping(value, field, allowed))) {
      if (!allowed.includes(key)) {
        this.fail(
          field ? `${field}.${key}` : key,
          `one of the keys ${allowed.join(', ')}`,
          key,
          `unknown key "${key}"`,
        );
      }
    }
    return value as Fields;
  }

  string(value: unknown, field: string, pattern?: RegExp, expected = 'a non-empty string'): string {
    if (typeof value !== 'string' || value === '' || (pattern !== undefined && !pattern.test(value))) {
      this.fail(field, expected, value);
    }
    return value;
  }

  /** `positive`: window sizes and gaps; otherwise zero is allowed (lateness, out-of-orderness, offsets). */
  duration(value: unknown, field: string, positive: boolean): number {
    const ms = typeof value === 'string' ? parseDuration(value) : value === 0 ? 0 : undefined;
    if (ms === undefined) this.fail(field, DURATION_EXPECTATION, value);
    if (positive && ms === 0) this.fail(field, `a positive duration (${DURATION_EXPECTATION})`, value);
    // `99999999999999999999d` parses (to a number beyond 2^53, or Infinity): bound it like the operators do.
    if (ms > MAX_DURATION_MS) this.fail(field, `a duration of at most ${MAX_DURATION_TEXT}`, value);
    return ms;
  }

  /** A dotted path into the record (`customer.id`), or `meta` (`$key`, `$timestamp`) where one is allowed. */
  path(value: unknown, field: string, what: string, meta?: string): string {
    const expected = `${what} (a dotted path reads nested records: customer.id)${meta ? `, or ${meta}` : ''}`;
    const path = this.string(value, field, undefined, expected);
    if (meta !== undefined && path === meta) return path;
    if (path.startsWith('$'))
      this.fail(field, expected, path, `"${path}" is not a record field or ${meta ?? 'a known name'}`);
    const problem = pathProblem(path);
    if (problem !== undefined) this.fail(field, expected, path, `the path ${problem}`);
    return path;
  }

  optionalDuration(value: unknown, field: string): number {
    return value === undefined ? 0 : this.duration(value, field, false);
  }
}

function validatePipeline(entry: unknown, index: number, options: ParsePipelinesOptions): Pipeline {
  const check = new PipelineChecker(index);
  // The name first, so that every later message can say which pipeline it is about.
  const name = check.string(
    check.mapping(entry, '', PIPELINE_KEYS)['name'],
    'name',
    PIPELINE_NAME,
    "a name of letters, digits, '.', '_' or '-' (it is used in topic and consumer group names)",
  );
  check.pipeline = name;
  const fields = check.object(entry, '', PIPELINE_KEYS);
  const watermark =
    fields['watermark'] === undefined
      ? {}
      : check.object(fields['watermark'], 'watermark', ['maxOutOfOrderness']);
  const pipeline: Pipeline = {
    name,
    source: check.string(fields['source'], 'source', undefined, 'a topic name'),
    key: check.path(fields['key'], 'key', 'the name of the event field holding the key', RECORD_KEY),
    time: check.path(
      fields['time'],
      'time',
      'the name of the event field holding the event time',
      RECORD_TIMESTAMP,
    ),
    window: validateWindow(check, fields['window']),
    watermark: {
      maxOutOfOrderness: check.optionalDuration(
        watermark['maxOutOfOrderness'],
        'watermark.maxOutOfOrderness',
      ),
    },
    allowedLateness: check.optionalDuration(fields['allowedLateness'], 'allowedLateness'),
    aggregations: validateAggregations(check, fields['aggregations'], options),
    // Only present when set: a pipeline without them equals (and fingerprints as) one written before they existed.
    ...validateFormat(check, fields['format'], fields['subject']),
    ...(fields['maxEventTimeSkew'] === undefined
      ? {}
      : { maxEventTimeSkew: check.duration(fields['maxEventTimeSkew'], 'maxEventTimeSkew', false) }),
  };
  // Likewise only when set; checked last, since its bound depends on the window and allowedLateness.
  if (fields['stateRetention'] === undefined) return pipeline;
  return { ...pipeline, stateRetention: validateStateRetention(check, fields['stateRetention'], pipeline) };
}

function validateFormat(
  check: PipelineChecker,
  format: unknown,
  subject: unknown,
): { format?: RecordFormat; subject?: string } {
  if (format !== undefined && !RECORD_FORMATS.includes(format as RecordFormat)) {
    check.fail('format', `one of ${RECORD_FORMATS.join(', ')}`, format);
  }
  if (subject === undefined) return format === undefined ? {} : { format: format as RecordFormat };
  if (format === 'json')
    check.fail('subject', 'no subject for format json (its records carry no schema id)', subject);
  return {
    ...(format === undefined ? {} : { format: format as RecordFormat }),
    subject: check.string(subject, 'subject', undefined, 'a schema registry subject name'),
  };
}

/** A duration no shorter than the window's extent plus allowedLateness (see minStateRetention). */
function validateStateRetention(check: PipelineChecker, value: unknown, pipeline: Pipeline): number {
  const ms = check.duration(value, 'stateRetention', false);
  const problem = stateRetentionProblem(pipeline, ms);
  if (problem !== undefined) check.fail('stateRetention', problem, value);
  return ms;
}

function validateWindow(check: PipelineChecker, value: unknown): WindowSpec {
  const types = Object.keys(WINDOW_KEYS);
  const type = check.object(value, 'window', ['type', ...new Set(Object.values(WINDOW_KEYS).flat())])['type'];
  if (typeof type !== 'string' || !Object.hasOwn(WINDOW_KEYS, type)) {
    check.fail('window.type', `one of ${types.join(', ')}`, type);
  }
  const window = check.object(value, 'window', WINDOW_KEYS[type as keyof typeof WINDOW_KEYS]);
  if (type === 'session') return { type, gap: check.duration(window['gap'], 'window.gap', true) };
  const size = check.duration(window['size'], 'window.size', true);
  const slide = type === 'sliding' ? check.duration(window['slide'], 'window.slide', true) : size;
  if (slide > size)
    check.fail('window.slide', `a duration no longer than window.size (${size}ms)`, window['slide']);
  if (Math.ceil(size / slide) > MAX_WINDOWS_PER_EVENT) {
    check.fail(
      'window.slide',
      `a duration of at least window.size / ${MAX_WINDOWS_PER_EVENT} (${Math.ceil(size / MAX_WINDOWS_PER_EVENT)}ms), ` +
        `so that an event falls into at most ${MAX_WINDOWS_PER_EVENT} windows`,
      window['slide'],
    );
  }
  const offset = check.optionalDuration(window['offset'], 'window.offset');
  if (offset >= slide) {
    check.fail(
      'window.offset',
      `a duration shorter than the window's ${type === 'sliding' ? 'slide' : 'size'}`,
      window['offset'],
    );
  }
  return type === 'sliding' ? { type, size, slide, offset } : { type: 'tumbling', size, offset };
}

function validateAggregations(
  check: PipelineChecker,
  value: unknown,
  options: ParsePipelinesOptions,
): AggregationSpec[] {
  if (!Array.isArray(value) || value.length === 0) {
    check.fail('aggregations', 'a non-empty list of {name, fn, field}', value);
  }
  const fns = [...Object.keys(BUILTIN_AGGREGATORS), ...Object.keys(options.aggregators ?? {})];
  const names = new Set<string>();
  return value.map((entry: unknown, i): AggregationSpec => {
    const at = `aggregations[${i}]`;
    const fields = check.object(entry, at, ['name', 'fn', 'field']);
    const name = check.string(
      fields['name'],
      `${at}.name`,
      AGGREGATION_NAME,
      'an identifier (letters, digits, _)',
    );
    if (isReservedName(name)) {
      check.fail(
        `${at}.name`,
        'a name that is not a property of JavaScript objects (__proto__, constructor, toString, ...)',
        name,
      );
    }
    if (names.has(name)) check.fail(`${at}.name`, 'a name no other aggregation of this pipeline uses', name);
    names.add(name);
    const fn = fields['fn'];
    if (
      typeof fn !== 'string' ||
      !(isBuiltinAggregator(fn) || Object.hasOwn(options.aggregators ?? {}, fn))
    ) {
      check.fail(`${at}.fn`, `one of ${fns.join(', ')}`, fn);
    }
    if (fields['field'] === undefined) {
      if (fn !== 'count') check.fail(`${at}.field`, `the event field that ${fn} aggregates`, undefined);
      return { name, fn };
    }
    return {
      name,
      fn,
      field: check.path(fields['field'], `${at}.field`, `the field ${fn} reads`),
    };
  });
}
