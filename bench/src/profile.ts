// Where a service's time goes: a `node --cpu-prof` profile summarised by self time, a native/builtin frame
// counted for its nearest JS caller, grouped by what the code is.
import { readFileSync } from 'node:fs';
import { root } from './stack';

const round = (value: number, digits = 0): number => Number(value.toFixed(digits));

export interface ProfileSummary {
  seconds: number;
  /** share of the profile's samples, in %; idle = waiting for I/O (Kafka, Postgres) */
  categories: Record<string, number>;
  /** the heaviest functions by self time, in % of the samples */
  top: { fn: string; percent: number }[];
}

const CATEGORIES: [string, RegExp][] = [
  [
    'kafkajs consume (fetch, record batch decode, libs/kafka)',
    /kafkajs\/src\/(consumer|protocol\/(requests\/fetch|recordBatch\/(v0|record))|network)|libs\/kafka\/dist\/kafka-consumer|libs\/kafka\/dist\/dead-letter/,
  ],
  [
    'kafkajs produce (results/late topics)',
    /kafkajs\/src\/(producer|protocol\/requests\/produce)|libs\/streaming\/dist\/result-publisher/,
  ],
  ['streaming job (libs/streaming)', /libs\/streaming\/dist\/(stream-job|flush-builder|partition)/],
  ['Avro decode', /avsc|libs\/schemas\/dist/],
  ['operators', /libs\/operators\/dist/],
  ['JSON/SQL (pg, libs/store, flush rows)', /node_modules\/pg|pg-protocol|pg-pool|libs\/store\/dist/],
  ['kafkajs other (crc, longs, buffers)', /kafkajs\//],
];

/** Self time per function; a frame without a URL of its own (builtins, natives) counts for its caller. */
export function summarizeProfile(file: string): ProfileSummary {
  interface Node {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
    children?: number[];
  }
  const profile = JSON.parse(readFileSync(file, 'utf8')) as {
    nodes: Node[];
    samples: number[];
    timeDeltas: number[];
  };
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const categories: Record<string, number> = {};
  const functions: Record<string, number> = {};
  let total = 0;
  for (const [id, micros] of self) {
    const node = byId.get(id)!;
    total += micros;
    const name = node.callFrame.functionName || '(anonymous)';
    const short = node.callFrame.url
      .replace(/.*node_modules\/\.pnpm\/[^/]+\/node_modules\//, '')
      .replace(`file://${root}/`, '');
    functions[`${name} ${short}`] = (functions[`${name} ${short}`] ?? 0) + micros;
    let category: string;
    if (name === '(idle)') category = 'idle (waiting for Kafka / Postgres)';
    else if (name === '(garbage collector)') category = 'garbage collector';
    else if (/^JSON|stringify|parse/.test(name) && !node.callFrame.url)
      category = 'JSON/SQL (pg, libs/store, flush rows)';
    else {
      let frame: Node | undefined = node;
      while (frame && !frame.callFrame.url) frame = byId.get(parent.get(frame.id) ?? -1);
      const url = frame?.callFrame.url ?? '';
      category =
        CATEGORIES.find(([, pattern]) => pattern.test(url))?.[0] ??
        'other (Node internals, start-up, timers)';
    }
    categories[category] = (categories[category] ?? 0) + micros;
  }
  const percent = (micros: number): number => round((micros / total) * 100, 1);
  return {
    seconds: round(total / 1e6, 1),
    categories: Object.fromEntries(
      Object.entries(categories)
        .sort((a, b) => b[1] - a[1])
        .map(([k, v]) => [k, percent(v)]),
    ),
    top: Object.entries(functions)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 15)
      .map(([fn, micros]) => ({ fn, percent: percent(micros) })),
  };
}
