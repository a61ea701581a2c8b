import { describe, expect, it } from 'vitest';
import { explainIncompatibilities, loadAvsc, type AvroRecordSchema } from '@lk/schemas';

const v1 = loadAvsc('user-event.v1.avsc');
const v2 = loadAvsc('user-event.v2.avsc');
const withFields = (schema: AvroRecordSchema, fields: AvroRecordSchema['fields']): AvroRecordSchema => ({
  ...schema,
  fields,
});

describe('explainIncompatibilities', () => {
  it('accepts adding an optional field with a default (v1 -> v2) and going back', () => {
    expect(explainIncompatibilities(v1, v2)).toEqual([]);
    expect(explainIncompatibilities(v2, v1)).toEqual([]);
  });

  it('rejects removing a field that has no default, naming it and why', () => {
    const problems = explainIncompatibilities(
      v2,
      withFields(
        v2,
        v2.fields.filter((f) => f.name !== 'amount'),
      ),
    );
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(
      /^field "amount" \(double\) was removed, and the previous version gives it no default/,
    );
  });

  it('rejects changing a field type both ways, naming the field and both types', () => {
    const problems = explainIncompatibilities(
      v2,
      withFields(
        v2,
        v2.fields.map((f) => (f.name === 'amount' ? { ...f, type: 'string' } : f)),
      ),
    );
    expect(problems).toEqual([
      expect.stringMatching(/^field "amount" changed type from double to string: neither version can read/),
    ]);
  });

  it("explains a one-way widening (int -> long) from the old readers' side", () => {
    const before = withFields(v1, [...v1.fields, { name: 'count', type: 'int', default: 0 }]);
    const after = withFields(v1, [...v1.fields, { name: 'count', type: 'long', default: 0 }]);
    expect(explainIncompatibilities(before, after)).toEqual([
      expect.stringMatching(
        /^field "count" changed type from int to long: a widening new readers accept, but readers still on the previous version/,
      ),
    ]);
  });

  it('rejects adding a field without a default', () => {
    const problems = explainIncompatibilities(
      v2,
      withFields(v2, [...v2.fields, { name: 'session_id', type: 'string' }]),
    );
    expect(problems).toEqual([
      expect.stringMatching(/^field "session_id" \(string\) was added without a default/),
    ]);
  });
});
