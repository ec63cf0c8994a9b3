import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CsrGraph } from '../graph/csr';
import { Rng } from '../random';
import { initBackend } from './backend';
import { kernelGraphOps } from './graph-ops-kernels';
import { referenceGraphOps } from './graph-ops-native';
import { caseInputs, expectClose, opCases, valueAndGradients } from './testing/cases';
import { finiteDifferenceGradient } from './testing/naive-graph-ops';
import { reverseEdges } from '../graph/views';
import { awkwardGraph, randomArray, symmetricAwkwardGraph } from './testing/random-graph';

const rng = new Rng(20240611);
const graph = awkwardGraph(rng.fork('graph'));
const cases = opCases(graph);
// On a symmetric graph, distances of one operand with itself take the paired path (selfDistanceOp).
const symmetricGraph = symmetricAwkwardGraph(rng.fork('symmetric graph'));
const symmetricCases = opCases(symmetricGraph).filter((c) => c.name.includes('same operand'));

beforeAll(async () => {
  await initBackend({ prefer: 'cpu' });
});

describe('the test graph', () => {
  it('has the awkward cases the ops must handle', () => {
    const degrees = Array.from({ length: graph.numNodes }, (_, v) => graph.offsets[v + 1] - graph.offsets[v]);
    expect(degrees).toContain(0);
    expect(Math.max(...degrees)).toBeGreaterThan(16);
    let selfLoops = 0;
    let duplicates = 0;
    for (let v = 0; v < graph.numNodes; v++) {
      for (let e = graph.offsets[v]; e < graph.offsets[v + 1]; e++) {
        if (graph.sources[e] === v) selfLoops++;
        if (e > graph.offsets[v] && graph.sources[e] === graph.sources[e - 1]) duplicates++;
      }
    }
    expect(selfLoops).toBeGreaterThan(0);
    expect(duplicates).toBeGreaterThan(0);
    expect(reverseEdges(graph)).toBeNull();
  });

  it('has a symmetric twin, with duplicates, self-loops and isolated nodes, whose edges pair up', () => {
    const pairs = reverseEdges(symmetricGraph)!;
    expect(pairs).not.toBeNull();
    const destinationOf = new Int32Array(symmetricGraph.sources.length);
    for (let v = 0; v < symmetricGraph.numNodes; v++) destinationOf.fill(v, symmetricGraph.offsets[v], symmetricGraph.offsets[v + 1]);
    let selfLoops = 0;
    symmetricGraph.sources.forEach((u, e) => {
      const r = pairs.reverse[e];
      expect(symmetricGraph.sources[r]).toBe(destinationOf[e]);
      expect(destinationOf[r]).toBe(u);
      expect(pairs.reverse[r]).toBe(e);
      if (u === destinationOf[e]) selfLoops++;
      expect(e < pairs.lowerEnds[destinationOf[e]]).toBe(u <= destinationOf[e]);
    });
    expect(selfLoops).toBeGreaterThan(0);
    expect(symmetricCases.length).toBe(3);
  });
});

describe.each([kernelGraphOps, referenceGraphOps])('$implementation graph ops', (ops) => {
  it.each(cases)('$name: forward matches the float64 reference', (opCase) => {
    const inputs = caseInputs(rng.fork(opCase.name), opCase.shapes);
    const actual = tf.tidy(() => opCase.run(ops, graph, inputs.map((a, i) => tf.tensor(Float32Array.from(a), opCase.shapes[i]))).dataSync());
    expectClose(actual, opCase.naive(graph, inputs), 1e-5, opCase.name);
  });

  it.each(cases)('$name: gradients match central finite differences', (opCase) => {
    const caseRng = rng.fork(`${opCase.name}/gradient`);
    const inputs = caseInputs(caseRng, opCase.shapes);
    const weightsR = randomArray(caseRng, opCase.naive(graph, inputs).length).map(Math.fround);
    const { gradients } = valueAndGradients(ops, graph, opCase, inputs, weightsR);
    inputs.forEach((_, which) => {
      const expected = finiteDifferenceGradient((xs) => opCase.naive(graph, xs), inputs, which, weightsR);
      expectClose(gradients[which], expected, 1e-4, `${opCase.name}, gradient wrt input ${which}`);
    });
  });
});

describe.each([kernelGraphOps, referenceGraphOps])('$implementation one-operand distances on a symmetric graph', (ops) => {
  it.each(symmetricCases)('$name: forward and gradient match the float64 reference and finite differences', (opCase) => {
    const caseRng = rng.fork(`${opCase.name}/symmetric`);
    const inputs = caseInputs(caseRng, opCase.shapes);
    const weightsR = randomArray(caseRng, opCase.naive(symmetricGraph, inputs).length).map(Math.fround);
    const { value, gradients } = valueAndGradients(ops, symmetricGraph, opCase, inputs, weightsR);
    expectClose(value, opCase.naive(symmetricGraph, inputs), 1e-5, opCase.name);
    const expected = finiteDifferenceGradient((xs) => opCase.naive(symmetricGraph, xs), inputs, 0, weightsR);
    expectClose(gradients[0], expected, 1e-4, `${opCase.name}, gradient`);
  });
});

describe('kernelGraphOps against referenceGraphOps', () => {
  it.each(cases)('$name: same values and gradients', (opCase) => {
    const caseRng = rng.fork(`${opCase.name}/agree`);
    const inputs = caseInputs(caseRng, opCase.shapes);
    const weightsR = randomArray(caseRng, opCase.naive(graph, inputs).length).map(Math.fround);
    const kernels = valueAndGradients(kernelGraphOps, graph, opCase, inputs, weightsR);
    const reference = valueAndGradients(referenceGraphOps, graph, opCase, inputs, weightsR);
    expectClose(kernels.value, reference.value, 1e-5, `${opCase.name} value`);
    kernels.gradients.forEach((g, i) => expectClose(g, reference.gradients[i], 1e-5, `${opCase.name} gradient ${i}`));
  });
});

describe('fused GAT attention', () => {
  it('gives exactly the values and gradients of edgeSoftmax(leakyRelu(edgeAdd))', () => {
    const heads = 3;
    const caseRng = rng.fork('fused attention');
    const [src, dst] = caseInputs(caseRng, [[graph.numNodes, heads], [graph.numNodes, heads]]).map((a) => tf.tensor2d(Float32Array.from(a), [graph.numNodes, heads]));
    const r = tf.tensor2d(Float32Array.from(randomArray(caseRng, graph.sources.length * heads)), [graph.sources.length, heads]);
    const composed = (a: tf.Tensor2D, b: tf.Tensor2D) => kernelGraphOps.edgeSoftmax(graph, tf.leakyRelu(kernelGraphOps.edgeAdd(graph, a, b), 0.2));
    const fused = (a: tf.Tensor2D, b: tf.Tensor2D) => kernelGraphOps.edgeAttention!(graph, a, b, 0.2);
    const run = (f: typeof fused) =>
      tf.tidy(() => [f(src, dst).dataSync(), ...tf.grads((a: tf.Tensor, b: tf.Tensor) => f(a as tf.Tensor2D, b as tf.Tensor2D).mul(r).sum())([src, dst]).map((g) => g.dataSync())]);
    const [expected, actual] = [run(composed), run(fused)];
    actual.forEach((values, i) => expect(Array.from(values), `output ${i}`).toEqual(Array.from(expected[i])));
    tf.dispose([src, dst, r]);
  });
});

describe.each([kernelGraphOps, referenceGraphOps])('$implementation edge cases', (ops) => {
  const oneDestination: CsrGraph = { numNodes: 3, offsets: Int32Array.from([0, 0, 3, 3]), sources: Int32Array.from([0, 1, 2]) };

  it('keeps the softmax finite for scores far from 0 (it subtracts the per-destination max)', () => {
    const shifted = tf.tidy(() => ops.edgeSoftmax(oneDestination, tf.tensor1d([1000, 999, 990])).dataSync());
    const plain = tf.tidy(() => ops.edgeSoftmax(oneDestination, tf.tensor1d([10, 9, 0])).dataSync());
    expectClose(shifted, plain, 1e-6, 'softmax of shifted scores');
    const negative = tf.tidy(() => ops.edgeSoftmax(oneDestination, tf.tensor1d([-1000, -1001, -1010])).dataSync());
    expectClose(negative, plain, 1e-6, 'softmax of very negative scores');
  });

  it('keeps the log-softmax finite where the softmax underflows to 0', () => {
    const logSoftmax = tf.tidy(() => ops.edgeLogSoftmax(oneDestination, tf.tensor1d([0, -300, -1000])).dataSync());
    expect(Array.from(logSoftmax).every(Number.isFinite)).toBe(true);
    expectClose(logSoftmax, [0, -300, -1000], 1e-6, 'log-softmax');
  });

  it('handles a graph without edges: zeros out, zero gradients', () => {
    const empty: CsrGraph = { numNodes: 2, offsets: new Int32Array(3), sources: new Int32Array(0) };
    const x = tf.tensor2d([[1, 2], [3, 4]]);
    const [value, gradient] = tf.tidy(() => {
      const f = (t: tf.Tensor) => ops.spmm(empty, t as tf.Tensor2D).add(ops.neighbourMax(empty, t as tf.Tensor2D)).sum();
      return [f(x).dataSync(), tf.grad(f)(x).dataSync()];
    });
    expect(Array.from(value)).toEqual([0]);
    expect(Array.from(gradient)).toEqual([0, 0, 0, 0]);
    expect(tf.tidy(() => ops.edgeSoftmax(empty, tf.tensor1d([])).shape)).toEqual([0]);
    x.dispose();
  });

  it('sends the gradient of max to the first arg-max edge only', () => {
    const values = tf.tensor1d([5, 7, 7]);
    const gradient = tf.tidy(() => tf.grad((v: tf.Tensor) => ops.segmentReduce(oneDestination, v as tf.Tensor1D, 'max').sum())(values).dataSync());
    expect(Array.from(gradient)).toEqual([0, 1, 0]);
    values.dispose();
  });

  it('names the op and both sizes when a tensor does not fit the graph', () => {
    const x = tf.zeros([4, 2]) as tf.Tensor2D;
    expect(() => ops.spmm(oneDestination, x)).toThrow(/graphOps\.spmm: x has 4 rows but the graph has 3 nodes/);
    expect(() => ops.edgeSoftmax(oneDestination, tf.zeros([2]) as tf.Tensor1D)).toThrow(/edgeSoftmax: scores has 2 rows but the graph has 3 edges/);
    expect(() => ops.spmm(oneDestination, tf.zeros([3, 5]) as tf.Tensor2D, tf.zeros([3, 2]) as tf.Tensor2D)).toThrow(/5 feature columns do not split into 2 heads/);
    x.dispose();
  });
});
