import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { UserError } from '../errors';
import { Rng } from '../random';
import { useCpuBackend } from '../tensor/testing/cpu-backend';
import { mutualLearningLoss } from './dml';
import { finiteDifferences, randomRows, relativeError, toTensor, type Rows } from './testing/naive';

useCpuBackend();

/** mean over nodes of Σ_c q_c log(q_c / p_c), q = softmax(peer/T), p = softmax(student/T), times T² */
function naiveMulticlass(student: Rows, peer: Rows, nodes: number[], t: number): number {
  const softmax = (row: number[]) => {
    const scaled = row.map((x) => x / t);
    const max = Math.max(...scaled);
    const exps = scaled.map((x) => Math.exp(x - max));
    const sum = exps.reduce((a, b) => a + b, 0);
    return exps.map((e) => e / sum);
  };
  let total = 0;
  for (const v of nodes) {
    const q = softmax(peer[v]);
    const p = softmax(student[v]);
    total += q.reduce((s, qc, c) => s + qc * Math.log(qc / p[c]), 0);
  }
  return (total / nodes.length) * t * t;
}

/** mean over nodes × labels of the Bernoulli KL(σ(peer/T) ‖ σ(student/T)), times T² */
function naiveMultilabel(student: Rows, peer: Rows, nodes: number[], t: number): number {
  const sigmoid = (x: number) => 1 / (1 + Math.exp(-x / t));
  let total = 0;
  for (const v of nodes) {
    peer[v].forEach((x, c) => {
      const q = sigmoid(x);
      const p = sigmoid(student[v][c]);
      total += q * Math.log(q / p) + (1 - q) * Math.log((1 - q) / (1 - p));
    });
  }
  return (total / (nodes.length * peer[0].length)) * t * t;
}

describe('mutualLearningLoss', () => {
  const rng = new Rng(13);
  const student = randomRows(rng, 10, 4, 2);
  const peer = randomRows(rng, 10, 4, 2);
  const all = Array.from({ length: 10 }, (_, v) => v);
  const subset = Int32Array.from([0, 3, 4, 9]);

  for (const [task, naive] of [
    ['multiclass', naiveMulticlass],
    ['multilabel', naiveMultilabel],
  ] as const) {
    it(`${task}: exactly 0 for identical logits`, () => {
      const value = tf.tidy(() => mutualLearningLoss(toTensor(student), toTensor(student), undefined, 1, task).dataSync()[0]);
      expect(value).toBe(0);
    });

    it(`${task}: matches the float64 KL, over all nodes or a subset, at T = 1 and 2`, () => {
      for (const t of [1, 2]) {
        for (const nodes of [undefined, subset]) {
          const value = tf.tidy(() => mutualLearningLoss(toTensor(student), toTensor(peer), nodes, t, task).dataSync()[0]);
          const expected = naive(student, peer, nodes ? Array.from(nodes) : all, t);
          expect(expected).toBeGreaterThan(0);
          expect(Math.abs(value - expected)).toBeLessThan(1e-5 * expected + 1e-7);
        }
      }
    });

    it(`${task}: gradient wrt the student logits matches central differences`, () => {
      const gradient = tf.tidy(() =>
        tf.grad((s) => mutualLearningLoss(s as tf.Tensor2D, toTensor(peer), subset, 2, task))(toTensor(student)).dataSync(),
      );
      const numeric = finiteDifferences((s) => naive(s, peer, Array.from(subset), 2), student).flat();
      expect(relativeError(gradient, numeric)).toBeLessThan(1e-3);
    });
  }

  it('stays finite for extreme logits', () => {
    const extreme = student.map((row) => row.map((x) => x * 500));
    for (const task of ['multiclass', 'multilabel'] as const) {
      const value = tf.tidy(() => mutualLearningLoss(toTensor(extreme), toTensor(peer), undefined, 1, task).dataSync()[0]);
      expect(Number.isFinite(value)).toBe(true);
    }
  });

  it('gives the peer no gradient when its logits come from outside the closure', () => {
    const x = toTensor(randomRows(rng, 10, 3));
    const ws = tf.variable(toTensor(randomRows(rng, 3, 4)), true, 'dml-student');
    const wp = tf.variable(toTensor(randomRows(rng, 3, 4)), true, 'dml-peer');
    const peerLogits = x.matMul(wp) as tf.Tensor2D;
    const { value, grads } = tf.variableGrads(() => mutualLearningLoss(x.matMul(ws) as tf.Tensor2D, peerLogits), [ws, wp]);
    expect(Object.keys(grads)).toEqual(['dml-student']);
    tf.dispose([x, ws, wp, peerLogits, value, grads]);
  });

  it('rejects bad temperatures, shapes and empty node sets', () => {
    tf.tidy(() => {
      const s = toTensor(student);
      expect(() => mutualLearningLoss(s, toTensor(peer), undefined, 0)).toThrow(UserError);
      expect(() => mutualLearningLoss(s, toTensor(peer.map((r) => r.slice(0, 3))))).toThrow(/differ in shape/);
      expect(() => mutualLearningLoss(s, toTensor(peer), new Int32Array(0))).toThrow(/empty/);
      expect(() => mutualLearningLoss(s, toTensor(peer), Int32Array.from([10]))).toThrow(/node index 10/);
    });
  });
});
