import * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';
import type { CsrGraph } from '../../graph/csr';
import { Rng } from '../../random';
import { edgeAttention, type GraphOps } from '../graph-ops';
import {
  naiveEdgeAdd,
  naiveEdgeDistance,
  naiveEdgeSoftmax,
  naiveNeighbourMax,
  naiveSegmentReduce,
  naiveSpmm,
} from './naive-graph-ops';
import { randomArray } from './random-graph';

/**
 * Every graph op in every configuration (weights shape, head count, distance kind, reduction), as
 * data: input shapes, how to call the op under test, and the float64 reference formula. Shared by
 * the op tests, the backend-agreement tests and the leak test.
 */
export interface OpCase {
  name: string;
  shapes: number[][];
  run(ops: GraphOps, graph: CsrGraph, inputs: tf.Tensor[]): tf.Tensor;
  naive(graph: CsrGraph, inputs: Float64Array[]): Float64Array;
}

export const FEATURES = 6;

/** `features`: the row width of node inputs (GPU kernels read widths divisible by 4 four at a time). */
export function opCases(graph: CsrGraph, features = FEATURES): OpCase[] {
  const n = graph.numNodes;
  const e = graph.sources.length;
  const f = features;
  const cases: OpCase[] = [
    {
      name: 'spmm, no weights',
      shapes: [[n, f]],
      run: (ops, g, [x]) => ops.spmm(g, x as tf.Tensor2D),
      naive: (g, [x]) => naiveSpmm(g, x, f, null, 1),
    },
    {
      name: 'spmm, weights [E]',
      shapes: [[n, f], [e]],
      run: (ops, g, [x, w]) => ops.spmm(g, x as tf.Tensor2D, w as tf.Tensor1D),
      naive: (g, [x, w]) => naiveSpmm(g, x, f, w, 1),
    },
  ];
  for (const heads of [1, 2, 3]) {
    cases.push({
      name: `spmm, weights [E, ${heads}]`,
      shapes: [[n, f], [e, heads]],
      run: (ops, g, [x, w]) => ops.spmm(g, x as tf.Tensor2D, w as tf.Tensor2D),
      naive: (g, [x, w]) => naiveSpmm(g, x, f, w, heads),
    });
  }
  for (const heads of [1, 3]) {
    cases.push({
      name: `edgeAdd, ${heads} heads`,
      shapes: [[n, heads], [n, heads]],
      run: (ops, g, [a, b]) => ops.edgeAdd(g, a as tf.Tensor2D, b as tf.Tensor2D),
      naive: (g, [a, b]) => naiveEdgeAdd(g, a, b, heads),
    });
  }
  for (const heads of [1, 3]) {
    cases.push({
      name: `edgeAttention, ${heads} heads`,
      shapes: [[n, heads], [n, heads]],
      run: (ops, g, [a, b]) => edgeAttention(ops, g, a as tf.Tensor2D, b as tf.Tensor2D, 0.2),
      naive: (g, [a, b]) => naiveEdgeSoftmax(g, naiveEdgeAdd(g, a, b, heads).map((x) => (x < 0 ? 0.2 * x : x)), heads, false),
    });
  }
  for (const kind of ['dot', 'l1', 'sqeuclidean'] as const) {
    cases.push({
      name: `edgeDistance ${kind}`,
      shapes: [[n, f], [n, f]],
      run: (ops, g, [x, y]) => ops.edgeDistance(g, x as tf.Tensor2D, y as tf.Tensor2D, kind),
      naive: (g, [x, y]) => naiveEdgeDistance(g, x, y, f, kind),
    });
    // One tensor on both sides, as local-structure distillation calls it; self-loops then sit at
    // the l1 kink (x − x = 0), where the subgradient 0 matches the two-sided difference.
    cases.push({
      name: `edgeDistance ${kind}, same operand twice`,
      shapes: [[n, f]],
      run: (ops, g, [x]) => ops.edgeDistance(g, x as tf.Tensor2D, x as tf.Tensor2D, kind),
      naive: (g, [x]) => naiveEdgeDistance(g, x, x, f, kind),
    });
  }
  for (const log of [false, true]) {
    for (const heads of [0, 1, 3]) {
      const shape = heads === 0 ? [e] : [e, heads];
      cases.push({
        name: `${log ? 'edgeLogSoftmax' : 'edgeSoftmax'} [${heads === 0 ? 'E' : `E, ${heads}`}]`,
        shapes: [shape],
        run: (ops, g, [s]) => (log ? ops.edgeLogSoftmax(g, s as tf.Tensor2D) : ops.edgeSoftmax(g, s as tf.Tensor2D)),
        naive: (g, [s]) => naiveEdgeSoftmax(g, s, Math.max(heads, 1), log),
      });
    }
  }
  for (const op of ['sum', 'mean', 'max'] as const) {
    for (const columns of [0, 4]) {
      const shape = columns === 0 ? [e] : [e, columns];
      cases.push({
        name: `segmentReduce ${op} [${columns === 0 ? 'E' : `E, ${columns}`}]`,
        shapes: [shape],
        run: (ops, g, [v]) => ops.segmentReduce(g, v as tf.Tensor2D, op),
        naive: (g, [v]) => naiveSegmentReduce(g, v, Math.max(columns, 1), op),
      });
    }
  }
  cases.push({
    name: 'neighbourMax',
    shapes: [[n, f]],
    run: (ops, g, [x]) => ops.neighbourMax(g, x as tf.Tensor2D),
    naive: (g, [x]) => naiveNeighbourMax(g, x, f),
  });
  return cases;
}

/** Random inputs for a case, rounded to float32 so that tf and the float64 reference see the same numbers. */
export function caseInputs(rng: Rng, shapes: number[][]): Float64Array[] {
  return shapes.map((shape) => randomArray(rng, shape.reduce((a, b) => a * b, 1)).map(Math.fround));
}

export function toTensors(arrays: Float64Array[], shapes: number[][]): tf.Tensor[] {
  return arrays.map((a, i) => tf.tensor(Float32Array.from(a), shapes[i]));
}

/** Values and gradients of L = Σ op(inputs) · R wrt every input, as plain arrays. */
export function valueAndGradients(
  ops: GraphOps,
  graph: CsrGraph,
  opCase: OpCase,
  inputs: Float64Array[],
  weightsR: Float64Array,
): { value: Float32Array; gradients: Float32Array[] } {
  return tf.tidy(() => {
    const tensors = toTensors(inputs, opCase.shapes);
    const value = opCase.run(ops, graph, tensors).dataSync() as Float32Array;
    const r = tf.tensor(Float32Array.from(weightsR));
    const loss = (...xs: tf.Tensor[]) => opCase.run(ops, graph, xs).reshape([-1]).mul(r).sum();
    const gradients = tf.grads(loss)(tensors).map((g) => g.dataSync() as Float32Array);
    return { value, gradients };
  });
}

/** |actual − expected| ≤ tolerance · (1 + |expected|) everywhere, naming the worst entry otherwise. */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance: number, what: string): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < expected.length; i++) {
    const excess = Math.abs(actual[i] - expected[i]) - tolerance * (1 + Math.abs(expected[i]));
    if (!(excess <= worstExcess)) {
      worst = i;
      worstExcess = Number.isNaN(excess) ? Infinity : excess;
    }
  }
  if (worst >= 0) {
    expect.fail(`${what}: entry ${worst} is ${actual[worst]}, expected ${expected[worst]} (tolerance ${tolerance})`);
  }
}
