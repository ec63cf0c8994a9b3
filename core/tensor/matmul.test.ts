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

  it('gives the right-hand gradient and a zero left-hand one for a constant left operand', () => {
    const rng = new Rng(2);
    const a = random(rng, [6, 4]);
    const b = random(rng, [4, 2]);
    const [da, db] = tf.grads((x: tf.Tensor, y: tf.Tensor) => matMul(x as tf.Tensor2D, y as tf.Tensor2D, { constantLeft: true }).square().sum())([a, b]);
    const [, dbRef] = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.matMul(x as tf.Tensor2D, y as tf.Tensor2D).square().sum())([a, b]);
    close(db, dbRef);
    expect(Array.from(da.dataSync()).every((v) => v === 0)).toBe(true);
  });
});
