import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../random';
import { initBackend } from './backend';
import { SPARSE_DENSITY_LIMIT, sparseFormOf, sparseMatMul, toSparseRows } from './sparse-rows';
import { expectClose } from './testing/cases';

/** rows × cols with about `density` of the entries non-zero */
function sparseMatrix(rng: Rng, rows: number, cols: number, density: number): Float32Array {
  return Float32Array.from({ length: rows * cols }, () => (rng.next() < density ? Math.fround(rng.normal()) : 0));
}

describe.each(['cpu', 'multicore'] as const)('sparse input features on %s', (backend) => {
  beforeAll(async () => {
    await initBackend({ prefer: backend });
  });

  it('keeps exactly the non-zeros, by rows, in column order', () => {
    const form = toSparseRows([0, 2, 0, 3, 0, 0, 0, 0, 5], 3, 3);
    expect(Array.from(form.offsets)).toEqual([0, 1, 2, 3]);
    expect(Array.from(form.columns)).toEqual([1, 0, 2]);
    expect(Array.from(form.values)).toEqual([2, 3, 5]);
  });

  it('multiplies like the dense product, and gives the weights the dense gradient', () => {
    const rng = new Rng(5);
    const [n, k, m] = [37, 50, 9];
    const dense = sparseMatrix(rng, n, k, 0.1);
    const x = tf.tensor2d(dense, [n, k]);
    const w = tf.tensor2d(Float32Array.from({ length: k * m }, () => rng.normal()), [k, m]);
    const r = tf.tensor2d(Float32Array.from({ length: n * m }, () => rng.normal()), [n, m]);
    const form = toSparseRows(dense, n, k);
    const [value, gradient] = tf.tidy(() => [sparseMatMul(form, w).dataSync(), tf.grad((v: tf.Tensor) => sparseMatMul(form, v as tf.Tensor2D).mul(r).sum())(w).dataSync()]);
    const [denseValue, denseGradient] = tf.tidy(() => [tf.matMul(x, w).dataSync(), tf.grad((v: tf.Tensor) => tf.matMul(x, v as tf.Tensor2D).mul(r).sum())(w).dataSync()]);
    expectClose(value, denseValue, 1e-5, 'x·w');
    expectClose(gradient, denseGradient, 1e-5, 'xᵀ·dy');
    tf.dispose([x, w, r]);
  });

  it('takes the sparse form only below the density limit, once per tensor', () => {
    const rng = new Rng(6);
    const sparse = tf.tensor2d(sparseMatrix(rng, 40, 100, SPARSE_DENSITY_LIMIT / 4), [40, 100]);
    const dense = tf.tensor2d(sparseMatrix(rng, 40, 100, 0.5), [40, 100]);
    const form = sparseFormOf(sparse);
    expect(form).not.toBeNull();
    expect(sparseFormOf(sparse)).toBe(form);
    expect(sparseFormOf(dense)).toBeNull();
    tf.dispose([sparse, dense]);
  });
});
