import * as tf from '@tensorflow/tfjs';
import { buildGraph } from '../../graph/build';
import type { CsrGraph } from '../../graph/csr';
import type { Rng } from '../../random';
import type { GraphOps } from '../../tensor/graph-ops';
import { kernelGraphOps } from '../../tensor/graph-ops-kernels';
import { referenceGraphOps } from '../../tensor/graph-ops-native';
import type { Matrix } from './dense-reference';

/** Shared fixtures of the model tests: tiny graphs, random inputs, and comparisons with the dense oracle. */

/**
 * Symmetric graph with self-loops: a ring-with-chords over nodes 0..5, node 6 isolated (only its
 * self-loop), node 7 a hub. Degrees vary from 1 to 8, which exercises the normalisations.
 */
export function smallSymmetricGraph(): CsrGraph {
  const src = [0, 1, 2, 3, 4, 5, 0, 1, 7, 7, 7, 7, 7];
  const dst = [1, 2, 3, 4, 5, 0, 3, 4, 0, 1, 2, 3, 5];
  return buildGraph(8, src, dst);
}

/** Directed graph with self-loops (in-degree ≠ out-degree), for layers that must respect edge direction. */
export function smallDirectedGraph(): CsrGraph {
  const src = [0, 0, 0, 1, 2, 3, 4, 4, 5];
  const dst = [1, 2, 3, 2, 3, 4, 0, 5, 0];
  return buildGraph(6, src, dst, { symmetrise: false });
}

export function randomMatrix(rng: Rng, rows: number, cols: number, scale = 1): Matrix {
  return Array.from({ length: rows }, () => Array.from({ length: cols }, () => scale * rng.normal()));
}

export function toTensor(m: Matrix): tf.Tensor2D {
  return tf.tensor2d(m);
}

export function toMatrix(t: tf.Tensor): Matrix {
  return t.arraySync() as Matrix;
}

/** Overwrites every variable with N(0, scale²) draws, biases included (zero biases would hide bias bugs). */
export function randomiseVariables(variables: Iterable<tf.Variable>, rng: Rng, scale = 0.5): void {
  for (const variable of variables) {
    const values = Float32Array.from({ length: variable.size }, () => scale * rng.normal());
    const t = tf.tensor(values, variable.shape);
    variable.assign(t);
    t.dispose();
  }
}

/** Values of a layer's/student's variables as float64 matrices (2-D) or vectors (1-D), by name. */
export function variableValues(parameters: ReadonlyMap<string, tf.Variable>): Record<string, Matrix | number[]> {
  const out: Record<string, Matrix | number[]> = {};
  for (const [name, variable] of parameters) out[name] = variable.arraySync() as Matrix | number[];
  return out;
}

/** Largest |a − b| / (1 + |b|) over all entries; shapes must agree. */
export function maxRelativeError(actual: Matrix, expected: Matrix): number {
  if (actual.length !== expected.length) throw new Error(`row count ${actual.length} ≠ ${expected.length}`);
  let worst = 0;
  actual.forEach((row, i) => {
    if (row.length !== expected[i].length) throw new Error(`row ${i}: width ${row.length} ≠ ${expected[i].length}`);
    row.forEach((value, j) => (worst = Math.max(worst, Math.abs(value - expected[i][j]) / (1 + Math.abs(expected[i][j])))));
  });
  return worst;
}

/** The GraphOps implementations every model test runs against. */
export const GRAPH_OPS_UNDER_TEST: GraphOps[] = [referenceGraphOps, kernelGraphOps];
