import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { Rng } from '../random';
import { useCpuBackend } from '../tensor/testing/cpu-backend';
import { dropout, dropoutValues } from './dropout';

useCpuBackend();

describe('dropout', () => {
  it('zeroes about `rate` of the entries and scales the survivors by 1/(1 − rate)', () => {
    const ones = tf.ones([200, 100]);
    const values = dropout(ones, 0.3, new Rng(1)).dataSync();
    const zeros = values.filter((v) => v === 0).length / values.length;
    expect(Math.abs(zeros - 0.3)).toBeLessThan(0.015); // 20 000 draws: σ ≈ 0.003
    // the rate is quantised to 1/65536, which moves the scale by less than 1e-5
    expect(values.filter((v) => v !== 0).every((v) => Math.abs(v - 1 / 0.7) < 1e-4)).toBe(true);
    ones.dispose();
  });

  it('replays from the stream state and leaves the input untouched at rate 0', () => {
    const x = tf.ones([7, 3]); // odd size: the last entry uses half a draw
    const a = dropout(x, 0.5, new Rng(4)).dataSync();
    const b = dropout(x, 0.5, new Rng(4)).dataSync();
    const c = dropout(x, 0.5, new Rng(5)).dataSync();
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
    expect(a.some((v) => v === 0) && a.some((v) => v !== 0)).toBe(true);
    // a lone trailing entry is decided too, not left at the mask's initial zero
    const single = tf.ones([1]);
    const lone = Array.from({ length: 20 }, (_, seed) => dropout(single, 0.5, new Rng(seed)).dataSync()[0]);
    expect(new Set(lone)).toEqual(new Set([0, 2]));
    expect(dropout(x, 0, new Rng(4))).toBe(x);
  });

  it('drops a sparse matrix’s stored values with the same law, scaling the survivors', () => {
    const values = Float32Array.from({ length: 20_000 }, (_, i) => 1 + (i % 7));
    const dropped = dropoutValues(values, 0.3, new Rng(2));
    const zeros = dropped.filter((v) => v === 0).length / dropped.length;
    expect(Math.abs(zeros - 0.3)).toBeLessThan(0.015);
    dropped.forEach((v, i) => expect(v === 0 || Math.abs(v - values[i] / 0.7) < 1e-4 * values[i]).toBe(true));
    expect(dropoutValues(values, 0, new Rng(2))).toBe(values);
  });
});
