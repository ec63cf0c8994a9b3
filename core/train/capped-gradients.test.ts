import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../random';
import { cappedTermGradients } from './capped-gradients';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const norm = (parts: number[][]) => Math.sqrt(parts.flat().reduce((n, v) => n + v * v, 0));
const add = (a: number[], b: number[], scale: number) => a.map((v, i) => v + scale * b[i]);

describe('cappedTermGradients', () => {
  // rest = Σ (x − 1)² + Σ y², term = c · Σ (x + 1)² + c · Σ z: y only in the rest, z only in the term
  const x0 = [0.5, -2, 3];
  const y0 = [1, -1];
  const z0 = [0.25];
  const analytic = (c: number) => ({
    rest: [x0.map((v) => 2 * (v - 1)), y0.map((v) => 2 * v), z0.map(() => 0)],
    term: [x0.map((v) => 2 * c * (v + 1)), y0.map(() => 0), z0.map(() => c)],
  });

  async function capped(c: number): Promise<number[][]> {
    const x = tf.variable(tf.tensor1d(x0));
    const y = tf.variable(tf.tensor1d(y0));
    const z = tf.variable(tf.tensor1d(z0));
    try {
      const grads = tf.tidy(() =>
        cappedTermGradients(
          [x, y, z],
          () => ({
            rest: x.sub(1).square().sum().add(y.square().sum()) as tf.Scalar,
            term: x.add(1).square().sum().mul(c).add(z.sum().mul(c)) as tf.Scalar,
          }),
          () => {},
        ),
      );
      const values = await Promise.all(grads.map(async (g) => Array.from(await g.data())));
      tf.dispose(grads);
      return values;
    } finally {
      tf.dispose([x, y, z]);
    }
  }

  it('leaves a term whose gradient is the smaller alone: rest + term', async () => {
    const c = 0.01;
    const { rest, term } = analytic(c);
    expect(norm(term)).toBeLessThan(norm(rest));
    const got = await capped(c);
    got.forEach((g, i) => g.forEach((v, j) => expect(v).toBeCloseTo(add(rest[i], term[i], 1)[j], 5)));
  });

  it('scales a dominant term down to the rest\'s norm, over all variables together', async () => {
    const c = 1000;
    const { rest, term } = analytic(c);
    const scale = norm(rest) / norm(term);
    expect(scale).toBeLessThan(1e-2);
    const got = await capped(c);
    got.forEach((g, i) => g.forEach((v, j) => expect(v).toBeCloseTo(add(rest[i], term[i], scale)[j], 4)));
    // the term's share of the step has exactly the rest's norm, whatever its weight c
    const share = got.map((g, i) => g.map((v, j) => v - rest[i][j]));
    expect(norm(share)).toBeCloseTo(norm(rest), 4);
    const tenTimes = await capped(10 * c);
    tenTimes.forEach((g, i) => g.forEach((v, j) => expect(v).toBeCloseTo(got[i][j], 4)));
  });

  it('replays the randomness between its two passes, so both gradients see the same draw', async () => {
    const x = tf.variable(tf.tensor1d([1, 2]));
    const rng = new Rng(5);
    const state = rng.getState();
    const draws: number[] = [];
    try {
      const grads = tf.tidy(() =>
        cappedTermGradients(
          [x],
          () => {
            const r = rng.next();
            draws.push(r);
            // rest = r Σ x², term = r Σ x: the rest dominates, so the result is r (2x + 1)
            return { rest: x.square().sum().mul(r) as tf.Scalar, term: x.sum().mul(r) as tf.Scalar };
          },
          () => rng.setState(state),
        ),
      );
      expect(draws).toHaveLength(2);
      expect(draws[1]).toBe(draws[0]);
      expect(Array.from(grads[0].dataSync())).toEqual([3, 5].map((v) => expect.closeTo(draws[0] * v, 5)));
      tf.dispose(grads);
    } finally {
      x.dispose();
    }
  });
});
