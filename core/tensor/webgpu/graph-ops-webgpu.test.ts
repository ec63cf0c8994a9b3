import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CsrGraph } from '../../graph/csr';
import { reverseEdges } from '../../graph/views';
import { generateCsbm } from '../../datasets/csbm';
import { Rng } from '../../random';
import { initBackend } from '../backend';
import { kernelGraphOps } from '../graph-ops-kernels';
import { caseInputs, expectClose, opCases, valueAndGradients, type OpCase } from '../testing/cases';
import { finiteDifferenceGradient } from '../testing/naive-graph-ops';
import { awkwardGraph, randomArray, symmetricAwkwardGraph } from '../testing/random-graph';
import { webgpuGraphOps } from './graph-ops-webgpu';
import { webgpuSkipReason } from './testing/availability';
import { maxRelativeError, valueAndGradientsAsync } from './testing/compare';

/**
 * The WGSL graph kernels against the CPU kernels (core/tensor/kernels on the cpu backend), op by op,
 * values and gradients, on the random graphs the CPU tests use: nodes without in-edges, duplicate
 * edges, self-loops, a hub, and the symmetric twin whose one-operand distances take the paired
 * path. Tolerance 1e-4 in |a − e| / (1 + |e|). The worst error per op is printed as a table.
 */

const skip = await webgpuSkipReason();
const TOLERANCE = 1e-4;

const rng = new Rng(20240611);
const graph = awkwardGraph(rng.fork('graph'));
const symmetricGraph = symmetricAwkwardGraph(rng.fork('symmetric graph'));
// Several workgroups per dispatch, and a hub whose row spans hundreds of slots.
const largerGraph = awkwardGraph(new Rng(7).fork('larger graph'), 300);

interface Run {
  graph: CsrGraph;
  opCase: OpCase;
  inputs: Float64Array[];
  weightsR: Float64Array;
  cpu: { value: Float32Array; gradients: Float32Array[] };
}

function prepare(g: CsrGraph, label: string, filter: (c: OpCase) => boolean = () => true, features?: number): Run[] {
  return opCases(g, features)
    .filter(filter)
    .map((opCase) => {
      const caseRng = rng.fork(`${label}/${opCase.name}`);
      const inputs = caseInputs(caseRng, opCase.shapes);
      const weightsR = randomArray(caseRng, opCase.naive(g, inputs).length).map(Math.fround);
      return { graph: g, opCase, inputs, weightsR, cpu: valueAndGradients(kernelGraphOps, g, opCase, inputs, weightsR) };
    });
}

const table: { op: string; graph: string; value: number; gradient: number }[] = [];
let runs: { label: string; list: Run[] }[] = [];

beforeAll(async () => {
  if (skip) return;
  await initBackend({ prefer: 'cpu' });
  runs = [
    { label: 'awkward', list: prepare(graph, 'awkward') },
    { label: 'symmetric', list: prepare(symmetricGraph, 'symmetric', (c) => c.name.includes('same operand')) },
    { label: 'awkward-300', list: prepare(largerGraph, 'awkward-300') },
    // 12 columns: rows read as vec4 (spmm heads 1 and 3, distances), and per 1 float (spmm, 2 heads of 6)
    { label: 'awkward-f12', list: prepare(graph, 'awkward-f12', (c) => /spmm|edgeDistance/.test(c.name), 12) },
    { label: 'symmetric-f12', list: prepare(symmetricGraph, 'symmetric-f12', (c) => c.name.includes('same operand'), 12) },
  ];
  await initBackend({ prefer: 'webgpu' });
});

afterAll(() => {
  if (table.length === 0) return;
  console.log(`webgpu vs cpu kernels, max |a − e| / (1 + |e|):\n${table.map((r) => `  ${r.graph.padEnd(12)} ${r.op.padEnd(44)} value ${r.value.toExponential(1)}  gradient ${r.gradient.toExponential(1)}`).join('\n')}`);
});

describe.skipIf(skip)('webgpu graph ops against the CPU kernels', () => {
  it('run on the webgpu backend', () => {
    expect(tf.getBackend()).toBe('webgpu');
    expect(reverseEdges(graph)).toBeNull();
    expect(reverseEdges(symmetricGraph)).not.toBeNull();
  });

  for (const label of ['awkward', 'symmetric', 'awkward-300', 'awkward-f12', 'symmetric-f12']) {
    it(`give the same values and gradients on the ${label} graph, every op`, async () => {
      const list = runs.find((r) => r.label === label)!.list;
      expect(list.length).toBeGreaterThan(0);
      for (const run of list) {
        const gpu = await valueAndGradientsAsync(webgpuGraphOps, run.graph, run.opCase, run.inputs, run.weightsR);
        const name = run.opCase.name;
        expectClose(gpu.value, run.cpu.value, TOLERANCE, `${label} ${name} value`);
        gpu.gradients.forEach((g, i) => expectClose(g, run.cpu.gradients[i], TOLERANCE, `${label} ${name} gradient ${i}`));
        table.push({
          op: name,
          graph: label,
          value: maxRelativeError(gpu.value, run.cpu.value),
          gradient: Math.max(0, ...gpu.gradients.map((g, i) => maxRelativeError(g, run.cpu.gradients[i]))),
        });
      }
    });
  }

  it('match central finite differences of the float64 reference too (every op, awkward graph)', async () => {
    for (const run of runs[0].list) {
      const gpu = await valueAndGradientsAsync(webgpuGraphOps, run.graph, run.opCase, run.inputs, run.weightsR);
      expectClose(gpu.value, run.opCase.naive(run.graph, run.inputs), 1e-5, `${run.opCase.name} value`);
      run.inputs.forEach((_, which) => {
        const expected = finiteDifferenceGradient((xs) => run.opCase.naive(run.graph, xs), run.inputs, which, run.weightsR);
        expectClose(gpu.gradients[which], expected, TOLERANCE, `${run.opCase.name}, gradient wrt input ${which}`);
      });
    }
  });
});

describe.skipIf(skip)('webgpu graph ops, edge cases', () => {
  const oneDestination: CsrGraph = { numNodes: 3, offsets: Int32Array.from([0, 0, 3, 3]), sources: Int32Array.from([0, 1, 2]) };
  const read = async (t: tf.Tensor) => {
    const values = Array.from(await t.data());
    t.dispose();
    return values;
  };

  it('keep the softmax finite for scores far from 0, and the log-softmax where the softmax underflows', async () => {
    const plain = await read(webgpuGraphOps.edgeSoftmax(oneDestination, tf.tensor1d([10, 9, 0])));
    expectClose(await read(webgpuGraphOps.edgeSoftmax(oneDestination, tf.tensor1d([1000, 999, 990]))), plain, 1e-6, 'shifted');
    expectClose(await read(webgpuGraphOps.edgeSoftmax(oneDestination, tf.tensor1d([-1000, -1001, -1010]))), plain, 1e-6, 'negative');
    const logSoftmax = await read(webgpuGraphOps.edgeLogSoftmax(oneDestination, tf.tensor1d([0, -300, -1000])));
    expectClose(logSoftmax, [0, -300, -1000], 1e-6, 'log-softmax');
  });

  it('handle a graph without edges: zeros out, zero gradients', async () => {
    const empty: CsrGraph = { numNodes: 2, offsets: new Int32Array(3), sources: new Int32Array(0) };
    const x = tf.tensor2d([[1, 2], [3, 4]]);
    const f = (t: tf.Tensor) => webgpuGraphOps.spmm(empty, t as tf.Tensor2D).add(webgpuGraphOps.neighbourMax(empty, t as tf.Tensor2D)).sum();
    expect(await read(f(x))).toEqual([0]);
    expect(await read(tf.grad(f)(x))).toEqual([0, 0, 0, 0]);
    expect(webgpuGraphOps.edgeSoftmax(empty, tf.tensor1d([])).shape).toEqual([0]);
    expect(await read(webgpuGraphOps.segmentReduce(empty, tf.zeros([0, 3]) as tf.Tensor2D, 'mean'))).toEqual([0, 0, 0, 0, 0, 0]);
    x.dispose();
  });

  it('send the gradient of max to the first arg-max edge only', async () => {
    const values = tf.tensor1d([5, 7, 7]);
    expect(await read(tf.grad((v: tf.Tensor) => webgpuGraphOps.segmentReduce(oneDestination, v as tf.Tensor1D, 'max').sum())(values))).toEqual([0, 1, 0]);
    values.dispose();
  });

  it('name the op and both sizes when a tensor does not fit the graph', () => {
    expect(() => webgpuGraphOps.spmm(oneDestination, tf.zeros([4, 2]) as tf.Tensor2D)).toThrow(/graphOps\.spmm: x has 4 rows but the graph has 3 nodes/);
    expect(() => webgpuGraphOps.edgeSoftmax(oneDestination, tf.zeros([2]) as tf.Tensor1D)).toThrow(/edgeSoftmax: scores has 2 rows but the graph has 3 edges/);
  });

  it('fold a dispatch past 65,535 workgroups into 2-D and still cover every row (spmm, 70k × 62)', async () => {
    const big = generateCsbm({ nodes: 70_000, edges: 70_000, classes: 2, features: 2, seed: 3 }).graphs[0].graph;
    // 62 columns: one invocation per element (no vec4), 4.3M invocations > 65,535 × 64
    const features = 62;
    const values = randomArray(new Rng(5), big.numNodes * features).map(Math.fround);
    const expected = await (async () => {
      await initBackend({ prefer: 'cpu' });
      return tf.tidy(() => kernelGraphOps.spmm(big, tf.tensor2d(Float32Array.from(values), [big.numNodes, features])).dataSync());
    })();
    await initBackend({ prefer: 'webgpu' });
    const actual = await read(webgpuGraphOps.spmm(big, tf.tensor2d(Float32Array.from(values), [big.numNodes, features])));
    expectClose(actual, expected, TOLERANCE, 'spmm on 70k nodes');
    expect(big.numNodes * features).toBeGreaterThan(65_535 * 64);
  });

  it('leak no tensors over repeated forward + backward of every op', async () => {
    const cases = opCases(graph);
    const inputs = cases.map((c) => caseInputs(rng.fork(c.name), c.shapes).map((a, i) => tf.variable(tf.tensor(Float32Array.from(a), c.shapes[i]))));
    const step = () => {
      const { value, grads } = tf.variableGrads(() => tf.addN(cases.map((c, i) => c.run(webgpuGraphOps, graph, inputs[i]).sum())) as tf.Scalar);
      value.dispose();
      tf.dispose(grads);
    };
    step();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) step();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(inputs.flat());
  });
});
