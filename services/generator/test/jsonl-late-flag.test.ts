import { describe, expect, it } from 'vitest';
import { EventGenerator } from '../src/generator';
import { DryRunSender, EventProducer, type JsonlRecord } from '../src/producer';

/** Encodes as JSON: what is sent does not matter here, only the JSONL lines. */
const jsonEncoder = { encode: async (event: object) => Buffer.from(JSON.stringify(event)) };

async function produce(options: { lateFraction: number; duplicateFraction: number }) {
  const generator = new EventGenerator({
    count: 4_000,
    seed: 11,
    startMs: Date.parse('2026-01-01T00:00:00Z'),
    keys: 200,
    disorderMs: 5_000,
    latenessMs: { min: 60_000, max: 600_000 },
    ...options,
  });
  const lines: string[] = [];
  const summary = await new EventProducer({
    topic: 't',
    partitions: 12,
    sender: new DryRunSender(12),
    encoder: jsonEncoder,
    rate: 0,
    jsonl: { writeLines: async (batch) => void lines.push(...batch) },
  }).produce(generator, generator.count);
  return { generator, lines, records: lines.map((line) => JSON.parse(line) as JsonlRecord), summary };
}

describe('the --jsonl late flag', () => {
  it('marks exactly the events pushed back beyond the disorder (and their duplicates), and only them', async () => {
    const { generator, lines, records, summary } = await produce({
      lateFraction: 0.05,
      duplicateFraction: 0.02,
    });
    // independently of the flag: a record is late when its time lies before its first occurrence's nominal
    // time minus the disorder bound (non-late events lie within it, late ones at least latenessMs.min beyond)
    const firstIndex = new Map<string, number>();
    records.forEach((record, index) => {
      if (!firstIndex.has(record.event_id)) firstIndex.set(record.event_id, index);
    });
    const pushedBack = records.map(
      (record) => record.ts < generator.nominalTs(firstIndex.get(record.event_id)!) - 5_000,
    );
    expect(records.map((record) => record.late === true)).toEqual(pushedBack);
    // absent (not false) on the others, last when present: the earlier fields keep their names and order
    for (const [index, record] of records.entries()) {
      if (record.late) expect(Object.keys(record).at(-1)).toBe('late');
      else expect(lines[index]).not.toContain('"late"');
    }
    const late = records.filter((record) => record.late);
    expect(late.length).toBe(summary.late);
    expect(late.length).toBeGreaterThan(100);
    // duplicates of late events are flagged too: they carry the same pushed-back time
    const duplicatesOfLate = records.filter(
      (record, index) => record.late && firstIndex.get(record.event_id) !== index,
    );
    expect(duplicatesOfLate.length).toBeGreaterThan(0);
  });

  it('writes no flag at all without late events', async () => {
    const { lines, summary } = await produce({ lateFraction: 0, duplicateFraction: 0.02 });
    expect(summary.late).toBe(0);
    expect(lines.filter((line) => line.includes('"late"'))).toEqual([]);
    expect(Object.keys(JSON.parse(lines[0]!) as object).slice(-4)).toEqual([
      'partition',
      'offset',
      'timestamp',
      'schema_version',
    ]);
  });
});
