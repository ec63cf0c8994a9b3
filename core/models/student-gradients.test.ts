import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { Rng } from '../random';
import type { GraphOps } from '../tensor/graph-ops';
import { useCpuBackend } from '../tensor/testing/cpu-backend';
import { createStudent } from './student';
import { studentDense, type DenseWeights, type Matrix } from './testing/dense-reference';
import { GRAPH_OPS_UNDER_TEST, randomiseVariables, randomMatrix, smallSymmetricGraph } from './testing/fixtures';
import type { StudentConfigInput } from './types';

/**
 * Gradient check of whole students: tf's gradient of a loss w.r.t. every parameter against central
 * finite differences of the same loss computed by the float64 dense reference (which the forward
 * tests show equal to the student), so the step can be tiny and the comparison tight. The loss
 * touches the logits (cross-entropy) and every hidden output (a fixed random projection, as the
 * distillation terms do), so gradients reach each layer by both paths.
 */

useCpuBackend();

const IN = 4;
const CLASSES = 3;
const COORDINATES_PER_VARIABLE = 3;
const STEP = 1e-6;

const VARIANTS: [string, StudentConfigInput][] = [
  ['gcn', { model: 'gcn', inFeatures: IN, numClasses: CLASSES, layers: 2, hidden: 3 }],
  ['gat', { model: 'gat', inFeatures: IN, numClasses: CLASSES, layers: 2, hidden: 2, heads: 2, outputHeads: 2 }],
  ['sage mean', { model: 'sage', inFeatures: IN, numClasses: CLASSES, layers: 2, hidden: 3, aggregator: 'mean' }],
  ['sage pool', { model: 'sage', inFeatures: IN, numClasses: CLASSES, layers: 2, hidden: 3, aggregator: 'pool' }],
];

const graph = smallSymmetricGraph();
const rng = new Rng(2024);
const features = randomMatrix(rng, graph.numNodes, IN);
const labels = Array.from({ length: graph.numNodes }, () => rng.int(CLASSES));

function projections(widths: number[]): Matrix[] {
  const r = new Rng(77);
  return widths.map((w) => randomMatrix(r, graph.numNodes, w, 0.1));
}

function denseLoss(logits: Matrix, hidden: Matrix[], probes: Matrix[]): number {
  let crossEntropy = 0;
  logits.forEach((row, v) => {
    const top = Math.max(...row);
    const logSum = top + Math.log(row.reduce((s, z) => s + Math.exp(z - top), 0));
    crossEntropy += logSum - row[labels[v]];
  });
  let probe = 0;
  hidden.forEach((h, l) => h.forEach((row, v) => row.forEach((value, j) => (probe += value * probes[l][v][j]))));
  return crossEntropy / logits.length + probe;
}

function tfLoss(logits: tf.Tensor2D, hidden: tf.Tensor2D[], probes: Matrix[]): tf.Scalar {
  const oneHot = tf.oneHot(tf.tensor1d(labels, 'int32'), CLASSES);
  const crossEntropy = tf.neg(tf.mean(tf.sum(tf.mul(oneHot, tf.logSoftmax(logits)), 1)));
  const probeTerms = hidden.map((h, l) => tf.sum(tf.mul(h, tf.tensor2d(probes[l]))));
  return tf.addN([crossEntropy, ...probeTerms]) as tf.Scalar;
}

describe.each(GRAPH_OPS_UNDER_TEST.map((ops) => [ops.implementation, ops] as [string, GraphOps]))(
  'student gradients on %s graph ops match finite differences',
  (_name, ops) => {
    it.each(VARIANTS)('%s', (_variant, config) => {
      const student = createStudent(config, ops, new Rng(5));
      randomiseVariables(student.trainableVariables(), new Rng(6));
      const probes = projections(student.hiddenWidths());
      const names = Object.keys(student.getWeights());
      const x = tf.tensor2d(features);
      const { grads } = tf.variableGrads(() => {
        const { logits, hidden } = student.forward(graph, x, { training: false });
        return tfLoss(logits, hidden, probes);
      }, student.trainableVariables());
      // variableGrads keys by tf's variable names; our names follow the same order
      const gradients = student.trainableVariables().map((v) => grads[v.name].dataSync());

      const base: DenseWeights = {};
      for (const [name, entry] of Object.entries(student.getWeights())) base[name] = { shape: entry.shape, data: Float64Array.from(entry.data) };
      const lossAt = (name: string, index: number, delta: number) => {
        const data = base[name].data as Float64Array;
        const saved = data[index];
        data[index] = saved + delta;
        const { logits, hidden } = studentDense(student.config, graph, features, base);
        data[index] = saved;
        return denseLoss(logits, hidden, probes);
      };

      const pick = new Rng(9);
      let nonZero = 0;
      let checked = 0;
      names.forEach((name, k) => {
        for (let c = 0; c < COORDINATES_PER_VARIABLE; c++) {
          const index = pick.int(base[name].data.length);
          const finiteDifference = (lossAt(name, index, STEP) - lossAt(name, index, -STEP)) / (2 * STEP);
          const analytic = gradients[k][index];
          expect(Math.abs(analytic - finiteDifference), `${name}[${index}]: tf ${analytic} vs fd ${finiteDifference}`).toBeLessThan(
            1e-4 + 1e-3 * Math.abs(finiteDifference),
          );
          checked++;
          if (Math.abs(finiteDifference) > 1e-5) nonZero++;
        }
      });
      // the check is only meaningful if the sampled coordinates mostly move the loss (max-pooling
      // and dead ReLUs legitimately leave some at zero)
      expect(nonZero).toBeGreaterThan(0.5 * checked);
      tf.dispose([x, ...Object.values(grads)]);
      student.dispose();
    });
  },
);
