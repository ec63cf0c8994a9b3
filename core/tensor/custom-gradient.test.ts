import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from './backend';
import { lazy, withCustomGradient } from './custom-gradient';

beforeAll(async () => {
  await initBackend({ prefer: 'cpu' });
});

/** a·b (element-wise) with hand-written gradients that count how often each is evaluated */
function countingProduct(a: tf.Tensor, b: tf.Tensor, calls: number[]): tf.Tensor {
  return withCustomGradient([a, b], ([x, y]) => ({
    value: x.mul(y),
    gradients: (dy) => [
      () => {
        calls[0]++;
        return dy.mul(y);
      },
      () => {
        calls[1]++;
        return dy.mul(x);
      },
    ],
  }));
}

describe('withCustomGradient', () => {
  it('gives the value and the hand-written gradients', () => {
    const [a, b] = [tf.tensor1d([1, 2, 3]), tf.tensor1d([4, 5, 6])];
    const calls = [0, 0];
    const [da, db] = tf.grads((x: tf.Tensor, y: tf.Tensor) => countingProduct(x, y, calls).sum())([a, b]);
    expect(Array.from(countingProduct(a, b, calls).dataSync())).toEqual([4, 10, 18]);
    expect(Array.from(da.dataSync())).toEqual([4, 5, 6]);
    expect(Array.from(db.dataSync())).toEqual([1, 2, 3]);
    expect(calls).toEqual([1, 1]);
    tf.dispose([a, b, da, db]);
  });

  it('does not evaluate the gradient of an input that is not differentiated', () => {
    const [a, b] = [tf.tensor1d([1, 2, 3]), tf.tensor1d([4, 5, 6])];
    const calls = [0, 0];
    const da = tf.grad((x: tf.Tensor) => countingProduct(x, b, calls).sum())(a);
    expect(Array.from(da.dataSync())).toEqual([4, 5, 6]);
    expect(calls).toEqual([1, 0]);
    tf.dispose([a, b, da]);
  });

  it('keeps index computations in the forward off the tape', () => {
    // argMax and a gather by its result would make tf try to differentiate the int32 indices.
    const pickMax = (x: tf.Tensor) =>
      withCustomGradient([x], ([v], save) => {
        const index = tf.argMax(v).reshape([1]);
        save([index]); // forward intermediates are disposed after the forward; saved ones live on
        return {
          value: tf.gather(v, index),
          gradients: (dy, [saved]) => [() => tf.oneHot(saved as tf.Tensor1D, v.size).reshape([v.size]).mul(dy)],
        };
      });
    const x = tf.tensor1d([1, 7, 3]);
    const gradient = tf.grad((t: tf.Tensor) => pickMax(t).sum())(x);
    expect(Array.from(gradient.dataSync())).toEqual([0, 1, 0]);
    tf.dispose([x, gradient]);
  });
});

describe('lazy', () => {
  it('computes once, on first use', () => {
    let runs = 0;
    const value = lazy(() => ++runs);
    expect(runs).toBe(0);
    expect(value()).toBe(1);
    expect(value()).toBe(1);
    expect(runs).toBe(1);
  });
});
