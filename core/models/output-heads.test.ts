import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { Rng } from '../random';
import type { GraphOps } from '../tensor/graph-ops';
import { useCpuBackend } from '../tensor/testing/cpu-backend';
import { createStudent } from './student';
import { denseAdjacency, gatDenseHead, studentDense, type DenseWeights, type Matrix } from './testing/dense-reference';
import { GRAPH_OPS_UNDER_TEST, maxRelativeError, randomiseVariables, randomMatrix, smallSymmetricGraph, toMatrix } from './testing/fixtures';
import type { InitScheme, StudentConfigInput } from './types';

/**
 * GAT output heads (the authors average 3): the logits are the mean of the output layer's heads,
 * checked against the dense float64 reference head by head.
 */

useCpuBackend();

const graph = smallSymmetricGraph();
const features = randomMatrix(new Rng(4), graph.numNodes, 5);
const OUT_HEADS = 3;

function asMatrix(entry: { shape: number[]; data: ArrayLike<number> }): Matrix {
  const [rows, cols] = entry.shape;
  return Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => entry.data[i * cols + j]));
}

describe.each(GRAPH_OPS_UNDER_TEST.map((ops) => [ops.implementation, ops] as [string, GraphOps]))('GAT output heads on %s ops', (_name, ops) => {
  it.each(['glorot', 'authors'] as InitScheme[])('averages %s-initialised output heads: logits = mean over heads of the dense per-head outputs', (init) => {
    const config: StudentConfigInput = { model: 'gat', inFeatures: 5, numClasses: 4, layers: 2, hidden: 3, heads: 2, outputHeads: OUT_HEADS, init };
    const student = createStudent(config, ops, new Rng(1));
    randomiseVariables(student.trainableVariables(), new Rng(2));
    const weights: DenseWeights = student.getWeights();
    expect(weights['output.weight'].shape).toEqual([2 * 3, OUT_HEADS * 4]);
    expect('output.bias' in weights).toBe(init === 'glorot');

    const input = tf.tensor2d(features);
    const { logits, hidden } = student.forward(graph, input, { training: false });
    const actual = toMatrix(logits);
    tf.dispose([input, logits, ...hidden]);

    // the whole student against the dense reference
    const reference = studentDense(student.config, graph, features, weights);
    expect(maxRelativeError(actual, reference.logits)).toBeLessThan(1e-5);

    // the output layer head by head: the logits are the plain mean of the heads (plus the bias)
    const a = denseAdjacency(graph);
    const lastHidden = reference.hidden[1].map((row) => row.map((v) => (v > 0 ? v : Math.expm1(v))));
    const parameters = {
      weight: asMatrix(weights['output.weight']),
      attentionSource: asMatrix(weights['output.attentionSource']),
      attentionTarget: asMatrix(weights['output.attentionTarget']),
      residual: asMatrix(weights['output.residual']),
    };
    const heads = Array.from({ length: OUT_HEADS }, (_, h) => gatDenseHead(a, lastHidden, parameters, h));
    const bias = weights['output.bias']?.data;
    const mean = heads[0].map((row, v) => row.map((_, c) => heads.reduce((s, head) => s + head[v][c], 0) / OUT_HEADS + (bias ? bias[c] : 0)));
    expect(maxRelativeError(actual, mean)).toBeLessThan(1e-5);
    // and no single head would do: the average is really taken
    for (const head of heads) expect(maxRelativeError(actual, head)).toBeGreaterThan(1e-2);
    student.dispose();
  });
});
