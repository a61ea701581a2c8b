import { describe, expect, it } from 'vitest';
import { ComparisonRequestError, formatSource, parseSource } from '@lk/comparisons';

describe('parseSource', () => {
  it('reads every spelling of a source and formats it back', () => {
    for (const text of ['lambda', 'kappa', 'speed:v1', 'speed:v12', 'batch:mx0abc123456', 'batch:latest'])
      expect(formatSource(parseSource(text, 'left'))).toBe(text);
    expect(parseSource(' speed:v3 ', 'left')).toEqual({ kind: 'speed', version: 3 });
  });

  it('refuses anything else naming the field', () => {
    for (const text of [
      '',
      'lamda',
      'speed:3',
      'speed:v0',
      'speed:v',
      'batch:',
      `batch:${'x'.repeat(201)}`,
    ]) {
      const error = (() => {
        try {
          parseSource(text, 'right');
        } catch (caught) {
          return caught;
        }
      })();
      expect(error, text).toBeInstanceOf(ComparisonRequestError);
      expect((error as ComparisonRequestError).field).toBe('right');
    }
  });
});
