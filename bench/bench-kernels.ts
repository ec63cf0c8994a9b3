/**
 * Micro-benchmark of the graph ops: the project's typed-array kernels against the stock-tf-op
 * reference, on the multicore, WASM and CPU backends, on CSBM random graphs with 192 features.
 *
 *   node bin/run-ts.js bench/bench-kernels.ts [--sizes 10000:45000,50000:475000] [--reps 3]
 *                                                   [--backends multicore,wasm,cpu] [--skip-reference-above 2000000]
 *                                                   [--reference-reps 2]
 *
 * A size is nodes:directed-edges as CSBM draws them (symmetrised, deduplicated, self-loops added,
 * so the message-edge count printed is about twice the drawn count plus the nodes): the defaults
 * give about 100k and 1M message edges. Times are the
 * median of --reps runs after one warm-up, in ms. Not part of the test suite.
 */
import * as tf from '@tensorflow/tfjs';
import { parseArgs } from 'node:util';
import { generateCsbm } from '../core/datasets/csbm';
import type { CsrGraph } from '../core/graph/csr';
import { Rng } from '../core/random';
import { initBackend, type BackendName } from '../core/tensor/backend';
import type { GraphOps } from '../core/tensor/graph-ops';
import { kernelGraphOps } from '../core/tensor/graph-ops-kernels';
import { referenceGraphOps } from '../core/tensor/graph-ops-native';

const FEATURES = 192;
const HEADS = 4;
const WASM_EDGE_TENSOR_LIMIT_MIB = 256;

interface Workload {
  name: string;
  /** columns of the widest per-edge tensor the reference builds (E × this) */
  edgeColumns: number;
  /** builds the inputs once per graph */
  inputs(graph: CsrGraph, rng: Rng): tf.Tensor[];
  /** scalar loss of the op(s) under test */
  loss(ops: GraphOps, graph: CsrGraph, inputs: tf.Tensor[]): tf.Scalar;
}

function normal(rng: Rng, shape: number[], scale = 1): tf.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(size);
  for (let i = 0; i < size; i++) data[i] = rng.normal() * scale;
  return tf.tensor(data, shape);
}

const workloads: Workload[] = [
  {
    name: 'spmm (GCN, weights [E])',
    edgeColumns: FEATURES,
    inputs: (g, rng) => [normal(rng, [g.numNodes, FEATURES]), normal(rng, [g.sources.length]), normal(rng, [g.numNodes, FEATURES])],
    loss: (ops, g, [x, w, r]) => ops.spmm(g, x as tf.Tensor2D, w as tf.Tensor1D).mul(r).sum(),
  },
  {
    name: `edge softmax [E, ${HEADS}]`,
    edgeColumns: HEADS,
    inputs: (g, rng) => [normal(rng, [g.sources.length, HEADS]), normal(rng, [g.sources.length, HEADS])],
    loss: (ops, g, [s, r]) => ops.edgeSoftmax(g, s as tf.Tensor2D).mul(r).sum(),
  },
  {
    name: `GAT layer ops (${HEADS} heads)`,
    edgeColumns: FEATURES,
    inputs: (g, rng) => [
      normal(rng, [g.numNodes, FEATURES]),
      normal(rng, [g.numNodes, HEADS]),
      normal(rng, [g.numNodes, HEADS]),
      normal(rng, [g.numNodes, FEATURES]),
    ],
    loss: (ops, g, [x, a, b, r]) => {
      const logits = tf.leakyRelu(ops.edgeAdd(g, a as tf.Tensor2D, b as tf.Tensor2D), 0.2);
      const attention = ops.edgeSoftmax(g, logits as tf.Tensor2D);
      return ops.spmm(g, x as tf.Tensor2D, attention).mul(r).sum();
    },
  },
  {
    name: 'local structure (l1 + log-softmax)',
    edgeColumns: FEATURES,
    inputs: (g, rng) => [normal(rng, [g.numNodes, FEATURES]), normal(rng, [g.sources.length])],
    loss: (ops, g, [x, r]) => {
      const scores = ops.edgeDistance(g, x as tf.Tensor2D, x as tf.Tensor2D, 'l1').mul(-0.01) as tf.Tensor1D;
      return ops.edgeLogSoftmax(g, scores).mul(r).sum();
    },
  },
];

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** median wall time of `reps` runs, after one warm-up run unless `reps` is 1 (big, slow cases) */
function timeMs(run: () => void, reps: number): number {
  if (reps > 1) run();
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const start = performance.now();
    run();
    times.push(performance.now() - start);
  }
  return median(times);
}

/** forward, and forward + backward wrt every input except the last (the random functional R) */
function measure(ops: GraphOps, graph: CsrGraph, workload: Workload, inputs: tf.Tensor[], reps: number) {
  const differentiable = inputs.slice(0, -1);
  const forward = timeMs(() => tf.tidy(() => void workload.loss(ops, graph, inputs).dataSync()), reps);
  const backward = timeMs(
    () =>
      tf.tidy(() => {
        const grads = tf.grads((...xs: tf.Tensor[]) => workload.loss(ops, graph, [...xs, inputs[inputs.length - 1]]))(differentiable);
        grads.forEach((g) => g.dataSync());
      }),
    reps,
  );
  return { forward, backward };
}

/** ms, or '-' where the reference was skipped or failed (the reason is printed above the row) */
function format(ms: number): string {
  return (Number.isFinite(ms) ? ms.toFixed(1) : '-').padStart(9);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      sizes: { type: 'string', default: '10000:45000,50000:475000' },
      reps: { type: 'string', default: '3' },
      backends: { type: 'string', default: 'multicore,wasm,cpu' },
      'skip-reference-above': { type: 'string', default: '2000000' },
      'reference-reps': { type: 'string', default: '2' },
    },
  });
  const reps = Number(values.reps);
  const skipReferenceAbove = Number(values['skip-reference-above']);
  for (const size of values.sizes.split(',')) {
    const [nodes, edges] = size.split(':').map(Number);
    const { graphs } = generateCsbm({ nodes, edges, classes: 5, features: 8, seed: 1 });
    const graph = graphs[0].graph;
    console.log(`\n=== CSBM ${nodes} nodes, ${graph.sources.length} message edges, ${FEATURES} features ===`);
    for (const backend of values.backends.split(',') as BackendName[]) {
      const report = await initBackend({ prefer: backend });
      console.log(`-- backend ${report.backend} (kernel threads ${report.kernelThreads}, tfjs threads ${report.threads}${report.simd === undefined ? '' : `, simd ${report.simd}`})`);
      console.log('workload                               kernels fwd  fwd+bwd | reference fwd  fwd+bwd | speed-up fwd+bwd');
      for (const workload of workloads) {
        const inputs = workload.inputs(graph, new Rng(7));
        const kernels = measure(kernelGraphOps, graph, workload, inputs, reps);
        let reference = { forward: NaN, backward: NaN };
        const edgeRowsMiB = (graph.sources.length * workload.edgeColumns * 4) / 2 ** 20;
        if (report.backend === 'wasm' && edgeRowsMiB > WASM_EDGE_TENSOR_LIMIT_MIB) {
          // The reference holds several E×F tensors at once; past ~4 GiB the WASM heap aborts the process.
          console.log(`   reference skipped: its ${edgeRowsMiB.toFixed(0)} MiB edges × features tensors do not fit the WASM heap`);
        } else if (graph.sources.length > skipReferenceAbove) {
          console.log(`   reference skipped: more than --skip-reference-above ${skipReferenceAbove} edges`);
        } else {
          try {
            reference = measure(referenceGraphOps, graph, workload, inputs, Number(values['reference-reps']));
          } catch (error) {
            console.log(`   reference failed: ${(error as Error).message.split('\n')[0]}`);
          }
        }
        const ratio = reference.backward / kernels.backward;
        console.log(
          `${workload.name.padEnd(36)} ${format(kernels.forward)} ${format(kernels.backward)} | ${format(reference.forward)} ${format(reference.backward)} | ${Number.isFinite(ratio) ? `${ratio.toFixed(1)}×` : '-'}`,
        );
        tf.dispose(inputs);
      }
    }
  }
}

await main();
