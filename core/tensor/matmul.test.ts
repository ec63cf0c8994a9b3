import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../random';
import { initBackend } from './backend';
import { matMul } from './matmul';

beforeAll(async () => {
  await initBackend({ prefer: 'cpu' });
});

function random(rng: Rng, shape: [number, number]): tf.Tensor2D {
  return tf.tensor2d(Float32Array.from({ length: shape[0] * shape[1] }, () => rng.normal()), shape);
}

function close(a: tf.Tensor, b: tf.Tensor, tol = 1e-4) {
  const x = a.dataSync();
  const y = b.dataSync();
  expect(x.length).toBe(y.length);
  for (let i = 0; i < x.length; i++) expect(Math.abs(x[i] - y[i])).toBeLessThan(tol * (1 + Math.abs(y[i])));
}

let matMuls = 0;
/** MatMul kernels run so far (counted through the kernel registry's cpu entry). */
function countMatMuls(): number {
  return matMuls;
}

beforeAll(() => {
  const kernel = tf.getKernel('BatchMatMul', 'cpu')!;
  tf.unregisterKernel('BatchMatMul', 'cpu');
  tf.registerKernel({ ...kernel, kernelFunc: (args) => (matMuls++, kernel.kernelFunc(args)) });
});

describe('matMul', () => {
  it("matches tf.matMul's value and gradients", () => {
    const rng = new Rng(1);
    const a = random(rng, [7, 5]);
    const b = random(rng, [5, 3]);
    const r = random(rng, [7, 3]);
    const loss = (f: (x: tf.Tensor2D, y: tf.Tensor2D) => tf.Tensor2D) => (x: tf.Tensor, y: tf.Tensor) => f(x as tf.Tensor2D, y as tf.Tensor2D).mul(r).sum();
    close(matMul(a, b), tf.matMul(a, b));
    const [ours, reference] = [tf.grads(loss((x, y) => matMul(x, y))), tf.grads(loss((x, y) => tf.matMul(x, y)))].map((g) => g([a, b]));
    close(ours[0], reference[0]);
    close(ours[1], reference[1]);
  });

  it('computes no gradient for a constant left operand', () => {
    const rng = new Rng(2);
    const a = random(rng, [6, 4]);
    const b = tf.variable(random(rng, [4, 2]));
    const matMulsBefore = countMatMuls();
    const { grads } = tf.variableGrads(() => matMul(a, b as tf.Tensor2D).square().sum() as tf.Scalar, [b]);
    // the forward product and aᵀ·dy; dy·bᵀ (the left operand's gradient) is never computed
    expect(countMatMuls() - matMulsBefore).toBe(2);
    const [, dbRef] = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.matMul(x as tf.Tensor2D, y as tf.Tensor2D).square().sum())([a, b]);
    close(grads[b.name], dbRef);
  });
});
