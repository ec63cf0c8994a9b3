import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { UserError } from '../errors';
import { Rng } from '../random';
import { useCpuBackend } from '../tensor/testing/cpu-backend';
import {
  accuracy,
  binaryCrossEntropyWithLogits,
  metricName,
  microF1,
  softmaxCrossEntropy,
  taskLoss,
  taskMetric,
} from './task';

useCpuBackend();

function randomLogits(rng: Rng, n: number, c: number, scale = 2): Float32Array {
  return Float32Array.from({ length: n * c }, () => rng.normal() * scale);
}

function naiveCrossEntropy(logits: Float32Array, c: number, labels: Int32Array, nodes: Int32Array): number {
  let total = 0;
  for (const v of nodes) {
    const row = Array.from(logits.subarray(v * c, (v + 1) * c), Number);
    const max = Math.max(...row);
    const logSum = max + Math.log(row.reduce((s, x) => s + Math.exp(x - max), 0));
    total += logSum - row[labels[v]];
  }
  return total / nodes.length;
}

function naiveBce(logits: Float32Array, c: number, labels: Uint8Array, nodes: Int32Array): number {
  let total = 0;
  for (const v of nodes) {
    for (let k = 0; k < c; k++) {
      const p = 1 / (1 + Math.exp(-logits[v * c + k]));
      total -= labels[v * c + k] ? Math.log(p) : Math.log(1 - p);
    }
  }
  return total / (nodes.length * c);
}

describe('task losses', () => {
  const rng = new Rng(5);
  const n = 25;
  const c = 4;
  const logits = randomLogits(rng, n, c);
  const classLabels = Int32Array.from({ length: n }, () => rng.int(c));
  const multiLabels = Uint8Array.from({ length: n * c }, () => (rng.next() < 0.3 ? 1 : 0));
  const nodes = Int32Array.from([0, 2, 3, 7, 11, 12, 24]);

  it('softmax cross-entropy matches float64 and has gradient softmax − onehot over |nodes|', () => {
    const value = tf.tidy(() => softmaxCrossEntropy(tf.tensor2d(logits, [n, c]), classLabels, nodes).dataSync()[0]);
    expect(value).toBeCloseTo(naiveCrossEntropy(logits, c, classLabels, nodes), 5);
    const grad = tf.tidy(() => (tf.grad((x) => softmaxCrossEntropy(x as tf.Tensor2D, classLabels, nodes))(tf.tensor2d(logits, [n, c])).arraySync() as number[][]));
    const inNodes = new Set(nodes);
    for (let v = 0; v < n; v++) {
      const row = Array.from(logits.subarray(v * c, (v + 1) * c), Number);
      const max = Math.max(...row);
      const sum = row.reduce((s, x) => s + Math.exp(x - max), 0);
      for (let k = 0; k < c; k++) {
        const expected = inNodes.has(v) ? (Math.exp(row[k] - max) / sum - (k === classLabels[v] ? 1 : 0)) / nodes.length : 0;
        expect(grad[v][k]).toBeCloseTo(expected, 6);
      }
    }
  });

  it('binary cross-entropy matches float64 and its gradient is (σ(x) − y) / (|nodes|·C)', () => {
    const value = tf.tidy(() => binaryCrossEntropyWithLogits(tf.tensor2d(logits, [n, c]), multiLabels, nodes).dataSync()[0]);
    expect(value).toBeCloseTo(naiveBce(logits, c, multiLabels, nodes), 5);
    const grad = tf.tidy(() =>
      tf.grad((x) => binaryCrossEntropyWithLogits(x as tf.Tensor2D, multiLabels, nodes))(tf.tensor2d(logits, [n, c])).arraySync() as number[][],
    );
    const inNodes = new Set(nodes);
    for (let v = 0; v < n; v++) {
      for (let k = 0; k < c; k++) {
        const sigma = 1 / (1 + Math.exp(-logits[v * c + k]));
        const expected = inNodes.has(v) ? (sigma - multiLabels[v * c + k]) / (nodes.length * c) : 0;
        expect(grad[v][k]).toBeCloseTo(expected, 6);
      }
    }
  });

  it('both losses stay finite for extreme logits', () => {
    const extreme = logits.map((x) => x * 1000);
    const ce = tf.tidy(() => softmaxCrossEntropy(tf.tensor2d(extreme, [n, c]), classLabels, nodes).dataSync()[0]);
    const bce = tf.tidy(() => binaryCrossEntropyWithLogits(tf.tensor2d(extreme, [n, c]), multiLabels, nodes).dataSync()[0]);
    expect(Number.isFinite(ce)).toBe(true);
    expect(Number.isFinite(bce)).toBe(true);
    expect(ce).toBeCloseTo(naiveCrossEntropy(extreme, c, classLabels, nodes), 1);
  });

  it('taskLoss dispatches on the task', () => {
    tf.tidy(() => {
      const x = tf.tensor2d(logits, [n, c]);
      expect(taskLoss('multiclass', x, classLabels, nodes).dataSync()[0]).toBe(softmaxCrossEntropy(x, classLabels, nodes).dataSync()[0]);
      expect(taskLoss('multilabel', x, multiLabels, nodes).dataSync()[0]).toBe(binaryCrossEntropyWithLogits(x, multiLabels, nodes).dataSync()[0]);
      expect(() => taskLoss('multiclass', x, multiLabels, nodes)).toThrow(UserError);
      expect(() => taskLoss('multilabel', x, classLabels, nodes)).toThrow(UserError);
    });
  });

  it('rejects bad labels and node indices with UserErrors naming them', () => {
    tf.tidy(() => {
      const x = tf.tensor2d(logits, [n, c]);
      const bad = classLabels.slice();
      bad[3] = c;
      expect(() => softmaxCrossEntropy(x, bad, nodes)).toThrow(/node 3 has label 4, outside the 4 classes/);
      expect(() => softmaxCrossEntropy(x, classLabels, Int32Array.from([0, 25]))).toThrow(/node index 25 \(position 1\)/);
      expect(() => softmaxCrossEntropy(x, classLabels, new Int32Array(0))).toThrow(/empty/);
      expect(() => binaryCrossEntropyWithLogits(x, multiLabels.subarray(1), nodes)).toThrow(/expected 25 nodes × 4 labels/);
    });
  });
});

describe('metrics', () => {
  const rng = new Rng(99);

  it('accuracy counts first-arg-max hits over the nodes', () => {
    for (let trial = 0; trial < 5; trial++) {
      const n = 60;
      const c = 1 + rng.int(5);
      const logits = randomLogits(rng, n, c);
      const labels = Int32Array.from({ length: n }, () => rng.int(c));
      const nodes = Int32Array.from({ length: 20 }, () => rng.int(n));
      let hits = 0;
      for (const v of nodes) {
        const row = Array.from(logits.subarray(v * c, (v + 1) * c));
        if (row.indexOf(Math.max(...row)) === labels[v]) hits++;
      }
      expect(accuracy(logits, c, labels, nodes)).toBe(hits / nodes.length);
      expect(taskMetric('multiclass', logits, c, labels, nodes)).toBe(hits / nodes.length);
    }
  });

  it('accuracy breaks ties towards the first class', () => {
    const logits = Float32Array.from([1, 1, 0, 0, 2, 2]);
    expect(accuracy(logits, 3, Int32Array.from([0, 1]), Int32Array.from([0, 1]))).toBe(1);
    expect(accuracy(logits, 3, Int32Array.from([1, 2]), Int32Array.from([0, 1]))).toBe(0);
  });

  it('micro-F1 equals 2TP/(2TP+FP+FN) summed over all labels, at threshold 0 or another', () => {
    for (let trial = 0; trial < 5; trial++) {
      const n = 40;
      const c = 2 + rng.int(8);
      const logits = randomLogits(rng, n, c);
      const labels = Uint8Array.from({ length: n * c }, () => (rng.next() < 0.4 ? 1 : 0));
      const nodes = Int32Array.from({ length: 15 }, () => rng.int(n));
      for (const threshold of [0, 0.7]) {
        let tp = 0;
        let fp = 0;
        let fn = 0;
        for (const v of nodes) {
          for (let k = 0; k < c; k++) {
            const predicted = logits[v * c + k] > threshold;
            const actual = labels[v * c + k] === 1;
            tp += Number(predicted && actual);
            fp += Number(predicted && !actual);
            fn += Number(!predicted && actual);
          }
        }
        expect(microF1(logits, c, labels, nodes, threshold)).toBeCloseTo((2 * tp) / (2 * tp + fp + fn), 12);
      }
      expect(taskMetric('multilabel', logits, c, labels, nodes)).toBe(microF1(logits, c, labels, nodes, 0));
    }
  });

  it('micro-F1 edge cases: nothing to score is 0; all correct is 1; no true positives is 0', () => {
    const nodes = Int32Array.from([0, 1]);
    const negative = Float32Array.from([-1, -2, -3, -4]);
    expect(microF1(negative, 2, new Uint8Array(4), nodes)).toBe(0);
    expect(microF1(Float32Array.from([1, -1, -1, 1]), 2, Uint8Array.from([1, 0, 0, 1]), nodes)).toBe(1);
    expect(microF1(negative, 2, Uint8Array.from([1, 0, 0, 1]), nodes)).toBe(0);
    expect(microF1(Float32Array.from([1, 1, 1, 1]), 2, new Uint8Array(4), nodes)).toBe(0);
  });

  it('rejects inconsistent shapes and empty node sets', () => {
    expect(() => accuracy(new Float32Array(7), 3, new Int32Array(2), Int32Array.from([0]))).toThrow(UserError);
    expect(() => accuracy(new Float32Array(6), 3, new Int32Array(2), new Int32Array(0))).toThrow(/empty/);
    expect(() => accuracy(new Float32Array(6), 3, new Int32Array(3), Int32Array.from([0]))).toThrow(/3 labels for 2 rows/);
    expect(() => microF1(new Float32Array(6), 3, new Uint8Array(5), Int32Array.from([0]))).toThrow(/5 label entries/);
    expect(() => microF1(new Float32Array(6), 3, new Uint8Array(6), Int32Array.from([2]))).toThrow(/node index 2/);
  });

  it('names the metric of each task', () => {
    expect(metricName('multiclass')).toBe('accuracy');
    expect(metricName('multilabel')).toBe('micro-F1');
  });
});
