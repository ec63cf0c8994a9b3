import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { useCpuBackend } from '../tensor/testing/cpu-backend';
import { Adam } from './adam';

useCpuBackend();

/** Plain float64 Adam with L2 weight decay, step by step, as torch.optim.Adam defines it. */
function naiveAdam(theta: number[], grads: number[][], lr: number, wd: number): number[] {
  const b1 = 0.9;
  const b2 = 0.999;
  const eps = 1e-8;
  const m = theta.map(() => 0);
  const v = theta.map(() => 0);
  const p = theta.slice();
  grads.forEach((g, t) => {
    for (let i = 0; i < p.length; i++) {
      const gi = g[i] + wd * p[i];
      m[i] = b1 * m[i] + (1 - b1) * gi;
      v[i] = b2 * v[i] + (1 - b2) * gi * gi;
      const mh = m[i] / (1 - b1 ** (t + 1));
      const vh = v[i] / (1 - b2 ** (t + 1));
      p[i] -= (lr * mh) / (Math.sqrt(vh) + eps);
    }
  });
  return p;
}

describe('Adam', () => {
  it('matches a naive float64 Adam with L2 weight decay', () => {
    const start = [0.5, -1.25, 2, 0.01];
    const grads = [
      [0.1, -0.2, 0.3, 0],
      [1, 0.5, -0.25, 2],
      [-0.3, 0.1, 0.1, -1],
    ];
    const w = tf.variable(tf.tensor1d(start));
    const adam = new Adam([w], { lr: 0.05, weightDecay: 0.01 });
    for (const g of grads) tf.tidy(() => adam.apply([tf.tensor1d(g)]));
    const expected = naiveAdam(start, grads, 0.05, 0.01);
    const got = Array.from(w.dataSync());
    got.forEach((x, i) => expect(x).toBeCloseTo(expected[i], 5));
    adam.dispose();
    w.dispose();
  });

  it('continues identically after its state is restored into a fresh optimiser', async () => {
    const w1 = tf.variable(tf.tensor2d([[1, 2], [3, 4]]));
    const w2 = tf.variable(tf.tensor2d([[1, 2], [3, 4]]));
    const a1 = new Adam([w1], { lr: 0.1 });
    const grad = () => tf.tensor2d([[0.3, -0.1], [0.2, 0.5]]);
    tf.tidy(() => a1.apply([grad()]));
    tf.tidy(() => a1.apply([grad()]));
    w2.assign(w1);
    const a2 = new Adam([w2], { lr: 0.1 });
    a2.setState(await a1.getState());
    tf.tidy(() => a1.apply([grad()]));
    tf.tidy(() => a2.apply([grad()]));
    expect(Array.from(w2.dataSync())).toEqual(Array.from(w1.dataSync()));
    expect(() => a2.setState({ step: 1, moments: [] })).toThrow(/expected 2/);
    [a1, a2, w1, w2].forEach((x) => x.dispose());
  });

  it('leaks no tensors across steps or after dispose', () => {
    const w = tf.variable(tf.randomNormal([8, 4]));
    const start = tf.memory().numTensors;
    const adam = new Adam([w], { lr: 0.01, weightDecay: 5e-4 });
    tf.tidy(() => adam.apply([tf.onesLike(w)]));
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) tf.tidy(() => adam.apply([tf.onesLike(w)]));
    expect(tf.memory().numTensors).toBe(before);
    adam.dispose();
    expect(tf.memory().numTensors).toBe(start);
    w.dispose();
  });

  it('gives the same bits in its one-pass form (CPU backends) as in tensor ops (other backends)', async () => {
    const values = (seed: number) => Array.from({ length: 300 }, (_, i) => Math.sin(seed * 1000 + i * 7.1) * (i % 5 === 0 ? 1e-3 : 1));
    const run = async (onePass: boolean) => {
      const w = tf.variable(tf.tensor2d(values(1), [30, 10]));
      const adam = new Adam([w], { lr: 0.01, weightDecay: 5e-4, onePass });
      for (let t = 0; t < 4; t++) tf.tidy(() => adam.apply([tf.tensor2d(values(t + 2), [30, 10])]));
      const result = [Array.from(w.dataSync()), ...(await adam.getState()).moments.map((m) => Array.from(m.data))];
      adam.dispose();
      w.dispose();
      return result;
    };
    expect(await run(true)).toEqual(await run(false));
  });
});
