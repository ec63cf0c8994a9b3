import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { UserError } from '../errors';
import { Rng } from '../random';
import { useCpuBackend } from '../tensor/testing/cpu-backend';
import { createAuxiliaryHeads } from './deep-supervision';
import { randomRows, toTensor, type Rows } from './testing/naive';

useCpuBackend();

/** rows · W + b in float64 from the variables' values */
function naiveLogits(h: Rows, w: number[][], b: number[]): Rows {
  return h.map((row) => b.map((bias, k) => bias + row.reduce((s, x, j) => s + x * w[j][k], 0)));
}

function naiveCe(logits: Rows, labels: Int32Array, nodes: Int32Array): number {
  let total = 0;
  nodes.forEach((v) => {
    const row = logits[v];
    const max = Math.max(...row);
    total += max + Math.log(row.reduce((s, x) => s + Math.exp(x - max), 0)) - row[labels[v]];
  });
  return total / nodes.length;
}

function naiveBce(logits: Rows, labels: Uint8Array, c: number, nodes: Int32Array): number {
  let total = 0;
  nodes.forEach((v) =>
    logits[v].forEach((x, k) => {
      const p = 1 / (1 + Math.exp(-x));
      total -= labels[v * c + k] ? Math.log(p) : Math.log(1 - p);
    }),
  );
  return total / (nodes.length * c);
}

describe('auxiliary heads (deep supervision)', () => {
  const widths = [5, 8, 3];
  const classes = 4;
  const n = 20;
  const rng = new Rng(3);
  const hiddenRows = widths.map((w) => randomRows(rng, n, w));
  const classLabels = Int32Array.from({ length: n }, () => rng.int(classes));
  const multiLabels = Uint8Array.from({ length: n * classes }, () => (rng.next() < 0.5 ? 1 : 0));
  const trainNodes = Int32Array.from([1, 2, 6, 10, 19]);

  it('has one Glorot-uniform weight and one zero bias per hidden layer, reproducible from the Rng', () => {
    const heads = createAuxiliaryHeads(widths, classes, new Rng(7));
    const again = createAuxiliaryHeads(widths, classes, new Rng(7));
    const other = createAuxiliaryHeads(widths, classes, new Rng(8));
    expect(heads.variables.map((v) => v.shape)).toEqual([[5, 4], [4], [8, 4], [4], [3, 4], [4]]);
    widths.forEach((w, l) => {
      const weight = heads.variables[2 * l].dataSync();
      const limit = Math.sqrt(6 / (w + classes));
      expect(Math.max(...weight.map(Math.abs))).toBeLessThanOrEqual(limit);
      expect(Math.max(...weight.map(Math.abs))).toBeGreaterThan(limit / 4);
      expect(Array.from(heads.variables[2 * l + 1].dataSync())).toEqual([0, 0, 0, 0]);
      expect(Array.from(again.variables[2 * l].dataSync())).toEqual(Array.from(weight));
      expect(Array.from(other.variables[2 * l].dataSync())).not.toEqual(Array.from(weight));
    });
    [heads, again, other].forEach((h) => h.dispose());
  });

  for (const task of ['multiclass', 'multilabel'] as const) {
    it(`${task}: loss is the mean over layers of each head's task loss on the training nodes`, () => {
      const heads = createAuxiliaryHeads(widths, classes, new Rng(7));
      // non-zero biases so that the bias path is checked too
      heads.variables.forEach((v, i) => i % 2 === 1 && v.assign(tf.tensor1d([0.1, -0.2, 0.3, 0.05])));
      const labels = task === 'multiclass' ? classLabels : multiLabels;
      const value = tf.tidy(() => heads.loss(hiddenRows.map(toTensor), labels, trainNodes, task).dataSync()[0]);
      let expected = 0;
      widths.forEach((_, l) => {
        const w = heads.variables[2 * l].arraySync() as number[][];
        const b = heads.variables[2 * l + 1].arraySync() as number[];
        const logits = naiveLogits(hiddenRows[l], w, b);
        expected += task === 'multiclass' ? naiveCe(logits, classLabels, trainNodes) : naiveBce(logits, multiLabels, classes, trainNodes);
      });
      expect(value).toBeCloseTo(expected / widths.length, 5);
      heads.dispose();
    });
  }

  it('sends gradients to its own variables and to the hidden tensors', () => {
    const heads = createAuxiliaryHeads(widths, classes, new Rng(7));
    const inputs = widths.map((w) => tf.variable(toTensor(randomRows(rng, n, w)), true));
    const { value, grads } = tf.variableGrads(
      () => heads.loss(inputs, classLabels, trainNodes, 'multiclass'),
      [...heads.variables, ...inputs],
    );
    for (const v of [...heads.variables, ...inputs]) {
      expect(grads[v.name]).toBeDefined();
      expect(tf.abs(grads[v.name]).max().dataSync()[0]).toBeGreaterThan(0);
    }
    // rows outside the training nodes receive nothing
    const firstGrad = grads[inputs[0].name].arraySync() as number[][];
    expect(firstGrad[0].every((g) => g === 0)).toBe(true);
    tf.dispose([value, grads, inputs]);
    heads.dispose();
  });

  it('rejects mismatched hidden lists and widths', () => {
    expect(() => createAuxiliaryHeads([], 3, new Rng(1))).toThrow(UserError);
    expect(() => createAuxiliaryHeads([4, 0], 3, new Rng(1))).toThrow(UserError);
    const heads = createAuxiliaryHeads(widths, classes, new Rng(7));
    tf.tidy(() => {
      const hidden = hiddenRows.map(toTensor);
      expect(() => heads.loss(hidden.slice(0, 2), classLabels, trainNodes, 'multiclass')).toThrow(/2 hidden tensors for 3/);
      expect(() => heads.loss([hidden[1], hidden[1], hidden[2]], classLabels, trainNodes, 'multiclass')).toThrow(/layer 1 has width 8/);
      expect(() => heads.loss(hidden, classLabels, Int32Array.from([20]), 'multiclass')).toThrow(/node index 20/);
    });
    heads.dispose();
  });
});
