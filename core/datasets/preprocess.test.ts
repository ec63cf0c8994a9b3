import { describe, expect, it } from 'vitest';
import { UserError } from '../errors';
import { rowNormalise } from './preprocess';

describe('rowNormalise', () => {
  it('divides each count row by its sum, leaving empty rows at 0', () => {
    const rows = [
      [1, 0, 1, 2],
      [0, 0, 0, 0],
      [0, 3, 0, 0],
      [1, 1, 1, 1],
    ];
    const features = Float32Array.from(rows.flat());
    rowNormalise(features, 4, 4);
    const expected = rows.map((row) => {
      const sum = row.reduce((a, b) => a + b, 0);
      return row.map((x) => (sum > 0 ? x / sum : 0));
    });
    Array.from(features).forEach((value, i) => expect(value).toBeCloseTo(expected.flat()[i], 7));
  });

  it('does not scale up rows summing below 1, nor flip negative ones (divides by max(sum, 1))', () => {
    const features = Float32Array.from([0.25, 0.25, -2, 1]);
    rowNormalise(features, 2, 2);
    expect(Array.from(features)).toEqual([0.25, 0.25, -2, 1]);
  });

  it('rejects a buffer that does not match the shape', () => {
    expect(() => rowNormalise(new Float32Array(5), 2, 3)).toThrow(UserError);
    expect(() => rowNormalise(new Float32Array(5), 2, 3)).toThrow(/5 values do not form 2 rows of 3 features/);
  });
});
