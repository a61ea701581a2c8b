import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import {
  loadAvsc,
  validateUserEvent,
  UserEventValidationError,
  type UserEventV1,
  type UserEventV2,
} from '@lk/schemas';

// Exhaustive samples: a field added to or removed from the TS types without the other side breaks compilation
// (the Record<keyof ...> annotations) or these tests (the .avsc field lists).
const v1Sample: Record<keyof UserEventV1, unknown> & UserEventV1 = {
  event_id: 'e1',
  user_id: 'u1',
  event_type: 'click',
  amount: 1.5,
  ts: 1_700_000_000_000,
};
const v2Sample: Record<keyof UserEventV2, unknown> & UserEventV2 = { ...v1Sample, country: 'NL' };

describe('UserEvent types are in step with the .avsc files', () => {
  it.each([
    ['user-event.v1.avsc', v1Sample],
    ['user-event.v2.avsc', v2Sample],
  ])('%s has exactly the fields of its TypeScript type, and accepts a typed value', (file, sample) => {
    const schema = loadAvsc(file);
    expect(schema.fields.map((f) => f.name).sort()).toEqual(Object.keys(sample).sort());
    const type = avro.Type.forSchema(schema as avro.Schema);
    expect(type.isValid(sample)).toBe(true);
    expect(type.fromBuffer(type.toBuffer(sample))).toEqual(sample);
  });

  it('v2 reads v1 records with country = null (BACKWARD)', () => {
    const v1 = avro.Type.forSchema(loadAvsc('user-event.v1.avsc') as avro.Schema);
    const v2 = avro.Type.forSchema(loadAvsc('user-event.v2.avsc') as avro.Schema);
    expect(v2.fromBuffer(v1.toBuffer(v1Sample), v2.createResolver(v1))).toEqual({
      ...v1Sample,
      country: null,
    });
  });
});

describe('validateUserEvent', () => {
  it.each([
    [{ event_id: '' }, 'event_id'],
    [{ user_id: '' }, 'user_id'],
    [{ amount: Infinity }, 'amount'],
    [{ ts: -1 }, 'ts'],
    [{ ts: 1.5 }, 'ts'],
  ])('rejects %o naming %s', (patch, field) => {
    expect(() => validateUserEvent({ ...v2Sample, ...patch })).toThrow(UserEventValidationError);
    expect(() => validateUserEvent({ ...v2Sample, ...patch })).toThrow(`${field}:`);
  });

  it("names its error UserEventValidationError (the DLQ header lk.error.class), not the operators' InvalidEventError", () => {
    const error = (() => {
      try {
        validateUserEvent({ ...v2Sample, user_id: '' });
      } catch (caught) {
        return caught as Error;
      }
      return undefined;
    })();
    expect(error?.name).toBe('UserEventValidationError');
  });

  it('accepts a valid event', () => {
    expect(() => validateUserEvent(v2Sample)).not.toThrow();
  });
});
