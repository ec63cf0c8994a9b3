import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../random';
import { kernelGraphOps } from '../graph-ops-kernels';
import { caseInputs, opCases, valueAndGradients } from '../testing/cases';
import { awkwardGraph, randomArray, symmetricAwkwardGraph } from '../testing/random-graph';
import { kernelThreadCount, PARALLEL_MIN_WORK, splitKernelCalls, splitRows, startKernelThreads, stopKernelThreads } from './kernel-threads';

describe('splitRows', () => {
  it('covers every row once, in order, balanced on edges + rows', () => {
    const graph = awkwardGraph(new Rng(3), 500);
    const rows = graph.numNodes;
    const cost = (r: number) => graph.offsets[r] + r;
    for (const parts of [1, 2, 3, 7]) {
      const ranges = splitRows(graph.offsets, parts);
      expect(ranges).toHaveLength(parts);
      expect(ranges[0].start).toBe(0);
      expect(ranges[parts - 1].end).toBe(rows);
      let maxRowCost = 0;
      for (let r = 0; r < rows; r++) maxRowCost = Math.max(maxRowCost, cost(r + 1) - cost(r));
      ranges.forEach((range, i) => {
        if (i > 0) expect(range.start).toBe(ranges[i - 1].end);
        expect(cost(range.end) - cost(range.start)).toBeLessThanOrEqual(cost(rows) / parts + maxRowCost);
      });
    }
  });
});

describe('graph kernels on several threads', () => {
  const graph = awkwardGraph(new Rng(11), 300);
  // one-operand distances take the paired path on a symmetric graph
  const symmetricGraph = symmetricAwkwardGraph(new Rng(12), 300);

  beforeAll(async () => {
    await tf.setBackend('cpu');
  });
  afterAll(stopKernelThreads);

  it('gives bit-identical values and gradients to one thread for every op', async () => {
    const rng = new Rng(5);
    const onGraph = (g: typeof graph) =>
      opCases(g).map((opCase) => {
        const inputs = caseInputs(rng, opCase.shapes);
        const weights = randomArray(rng, tf.tidy(() => opCase.run(kernelGraphOps, g, inputs.map((a, i) => tf.zeros(opCase.shapes[i]))).size));
        return { opCase, inputs, weights, g };
      });
    const cases = [...onGraph(graph), ...onGraph(symmetricGraph).filter(({ opCase }) => opCase.name.includes('same operand'))];
    await stopKernelThreads();
    const single = cases.map(({ opCase, inputs, weights, g }) => valueAndGradients(kernelGraphOps, g, opCase, inputs, weights));

    expect(await startKernelThreads(3, { minWork: 0 })).toBe(3);
    expect(kernelThreadCount()).toBe(3);
    const before = splitKernelCalls();
    cases.forEach(({ opCase, inputs, weights, g }, i) => {
      const threaded = valueAndGradients(kernelGraphOps, g, opCase, inputs, weights);
      expect(Buffer.from(threaded.value.buffer).equals(Buffer.from(single[i].value.buffer)), `${opCase.name}: value`).toBe(true);
      threaded.gradients.forEach((g, k) => {
        expect(Buffer.from(g.buffer).equals(Buffer.from(single[i].gradients[k].buffer)), `${opCase.name}: gradient ${k}`).toBe(true);
      });
    });
    // forward and backward of every case went through the threads
    expect(splitKernelCalls() - before).toBeGreaterThanOrEqual(2 * cases.length);
  });

  it('keeps small kernels on the calling thread', async () => {
    await startKernelThreads(2);
    const before = splitKernelCalls();
    const x = tf.tensor2d(Float32Array.from(randomArray(new Rng(2), graph.numNodes * 6)), [graph.numNodes, 6]);
    const out = kernelGraphOps.spmm(graph, x);
    expect(graph.sources.length * 6).toBeLessThan(PARALLEL_MIN_WORK);
    expect(splitKernelCalls()).toBe(before);
    tf.dispose([x, out]);
  });

  it('falls back to the calling thread when no threads run', async () => {
    await startKernelThreads(1, { minWork: 0 });
    expect(kernelThreadCount()).toBe(1);
    const before = splitKernelCalls();
    const x = tf.tensor2d(Float32Array.from(randomArray(new Rng(2), graph.numNodes * 6)), [graph.numNodes, 6]);
    const out = kernelGraphOps.spmm(graph, x);
    expect(out.shape).toEqual([graph.numNodes, 6]);
    expect(splitKernelCalls()).toBe(before);
    tf.dispose([x, out]);
  });

  it('drops threads that fail to load, without waiting out the timeout, and computes on the rest', async () => {
    const started = Date.now();
    const missing = new URL('./no-such-kernel-worker.mjs', import.meta.url);
    expect(await startKernelThreads(3, { entry: missing, timeoutMs: 60_000, minWork: 0 })).toBe(1);
    expect(Date.now() - started).toBeLessThan(30_000);
    const x = tf.tensor2d(Float32Array.from(randomArray(new Rng(4), graph.numNodes * 6)), [graph.numNodes, 6]);
    const out = kernelGraphOps.spmm(graph, x);
    expect(out.shape).toEqual([graph.numNodes, 6]);
    tf.dispose([x, out]);
  });
});
