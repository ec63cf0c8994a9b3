import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { useCpuBackend } from '../tensor/testing/cpu-backend';
import { buildGraph } from '../graph/build';
import { Rng } from '../random';
import { GRAPH_OPS_UNDER_TEST } from '../models/testing/fixtures';
import type { KernelChoice } from './layer-kernels';
import { inTensorScopeAsync, naiveLogStructure, naiveStructureDistance, naiveUnit, randomRows, toTensor, unevenGraph, type Rows } from './testing/naive';
import { quartiles } from './neighbour-distances';
import { builtinPlan } from './plans';
import type { SimilarityKernel } from './similarity';
import { logStructureFromScores, pairDiagnostics, structureContrast } from './structure-diagnostics';

useCpuBackend();

/** numpy-style percentile of a plain array, by sorting: the naive reference of `quartiles`. */
function naivePercentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const position = p * (sorted.length - 1);
  const low = Math.floor(position);
  const high = Math.min(low + 1, sorted.length - 1);
  return sorted[low] + (position - low) * (sorted[high] - sorted[low]);
}

/** 1 − mean H/log(deg) written as read: entropies of the float64 structure, nodes of degree ≥ 2. */
function naiveContrast(graph: ReturnType<typeof unevenGraph>, rows: Rows, kernel: SimilarityKernel, nodes: number[]): number {
  const log = naiveLogStructure(graph, rows, kernel);
  const ratios: number[] = [];
  for (const v of nodes) {
    const degree = graph.offsets[v + 1] - graph.offsets[v];
    if (degree < 2) continue;
    let entropy = 0;
    for (let e = graph.offsets[v]; e < graph.offsets[v + 1]; e++) entropy -= Math.exp(log[e]) * log[e];
    ratios.push(entropy / Math.log(degree));
  }
  return 1 - ratios.reduce((s, r) => s + r, 0) / ratios.length;
}

function naiveDistancesOverTau(graph: ReturnType<typeof unevenGraph>, rows: Rows, tau: number, normalise: boolean, nodes: number[]): number[] {
  const row = (u: number) => (normalise ? naiveUnit(rows[u]) : rows[u]);
  const out: number[] = [];
  for (const v of nodes) {
    for (let e = graph.offsets[v]; e < graph.offsets[v + 1]; e++) {
      const u = graph.sources[e];
      if (u !== v) out.push(row(u).reduce((s, x, j) => s + Math.abs(x - row(v)[j]), 0) / tau);
    }
  }
  return out;
}

describe('structure contrast', () => {
  it('is 0 for uniform structures, 1 − H/log 2 for a two-edge node, and leaves degree-1 nodes out', () => {
    // node 0: edges from 0 and 1 with probabilities 0.8 / 0.2; node 1: only its self-loop
    const graph = buildGraph(2, [1], [0], { symmetrise: false });
    const p = [0.8, 0.2];
    const log = Float64Array.from([Math.log(p[0]), Math.log(p[1]), 0]);
    const expected = 1 - -(p[0] * Math.log(p[0]) + p[1] * Math.log(p[1])) / Math.log(2);
    expect(graph.offsets[2] - graph.offsets[1]).toBe(1);
    expect(structureContrast(graph, log)).toBeCloseTo(expected, 12);
    expect(structureContrast(graph, Float64Array.from([Math.log(0.5), Math.log(0.5), 0]))).toBe(0);
    expect(structureContrast(graph, log, Int32Array.from([1]))).toBeNaN();
  });

  it('keeps its precision where the structure is within 1e-9 of uniform (no 1 − H/log d cancellation)', () => {
    const graph = unevenGraph(3, 30, 6);
    const eps = 1e-5;
    const scores = Array.from({ length: graph.sources.length }, (_, e) => 1 + eps * Math.sin(e));
    const contrast = structureContrast(graph, logStructureFromScores(graph, scores));
    // second order in the score spread: ~eps²/(2 log d), positive and far above float64 noise
    expect(contrast).toBeGreaterThan(1e-13);
    expect(contrast).toBeLessThan(eps * eps);
  });
});

describe.each(GRAPH_OPS_UNDER_TEST)('pairDiagnostics with $implementation ops', (ops) => {
  const graph = unevenGraph(17, 30, 6);
  const rng = new Rng(23);
  const student = [0, 1, 2].map(() => randomRows(rng, 30, 4));
  const peer = [0, 1, 2].map(() => randomRows(rng, 30, 4));
  const plan = builtinPlan('align-ahead', 3);
  const nodes = Int32Array.from([0, 2, 3, 7, 11, 19, 23, 29]);

  const cases: [string, KernelChoice, (layer: number) => SimilarityKernel][] = [
    ['l1, τ 2', { kind: 'l1', tau: 2 }, () => ({ kind: 'l1', tau: 2 })],
    ['l1, normalised rows', { kind: 'l1', tau: 0.5, normalise: true }, () => ({ kind: 'l1', tau: 0.5, normalise: true })],
    ['rbf', { kind: 'rbf', sigma: 1.5 }, () => ({ kind: 'rbf', sigma: 1.5 })],
    [
      'per-layer τ',
      { byLayer: new Map([0, 1, 2].map((m) => [m, { kind: 'l1', tau: 1 + m } as SimilarityKernel])) },
      (m) => ({ kind: 'l1', tau: 1 + m }),
    ],
  ];

  it.each(cases)('matches the naive float64 figures on a fixture graph (%s)', async (_name, choice, kernelOf) => {
    for (const subset of [undefined, nodes]) {
      const list = subset ? Array.from(subset) : Array.from({ length: 30 }, (_, v) => v);
      const result = await inTensorScopeAsync(() => pairDiagnostics(ops, graph, student.map(toTensor), peer.map(toTensor), plan, choice, subset));
      expect(result.map((r) => [r.studentLayer, r.peerLayer])).toEqual(plan.pairs.map((p) => [p.student, p.peer]));
      for (const r of result) {
        const kernel = kernelOf(r.peerLayer);
        expect(r.meanKl).toBeGreaterThan(0);
        expect(Math.abs(r.meanKl - naiveStructureDistance(graph, student[r.studentLayer], peer[r.peerLayer], kernel, subset))).toBeLessThan(1e-5 * r.meanKl + 1e-9);
        const contrast = naiveContrast(graph, peer[r.peerLayer], kernel, list);
        expect(Math.abs(r.contrast - contrast)).toBeLessThan(1e-5 * contrast + 1e-9);
        const studentContrast = naiveContrast(graph, student[r.studentLayer], kernel, list);
        expect(Math.abs(r.studentContrast - studentContrast)).toBeLessThan(1e-5 * studentContrast + 1e-9);
        if (kernel.kind === 'l1') {
          expect(r.tau).toBe(kernel.tau);
          const d = naiveDistancesOverTau(graph, peer[r.peerLayer], kernel.tau!, kernel.normalise ?? false, list);
          for (const [key, p] of [['q1', 0.25], ['median', 0.5], ['q3', 0.75]] as const) {
            expect(r.distanceOverTau![key]).toBeCloseTo(naivePercentile(d, p), 5);
          }
        } else {
          expect(r.tau).toBeNull();
          expect(r.distanceOverTau).toBeNull();
        }
      }
    }
  });

  it('leaves no tensor behind', async () => {
    const [s, t] = [student.map(toTensor), peer.map(toTensor)];
    const before = tf.memory().numTensors;
    await pairDiagnostics(ops, graph, s, t, plan, { kind: 'l1', tau: 1, normalise: true }, nodes);
    await pairDiagnostics(ops, graph, s, t, plan, { kind: 'cosine' });
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([...s, ...t]);
  });

  it('reads a near-uniform regime at τ = 100 and an active one at τ near the distances', async () => {
    const small = randomRows(new Rng(3), 30, 4, 0.01); // distances ~0.03, like an early Cora GCN layer
    const contrastAt = async (tau: number) =>
      (await inTensorScopeAsync(() => pairDiagnostics(ops, graph, [toTensor(small)], [toTensor(small)], builtinPlan('one-to-one', 1), { kind: 'l1', tau })))[0];
    const inert = await contrastAt(100);
    const active = await contrastAt(inert.distanceOverTau!.median * 100);
    expect(inert.distanceOverTau!.median).toBeLessThan(1e-3);
    expect(active.distanceOverTau!.median).toBeCloseTo(1, 6);
    expect(inert.contrast).toBeLessThan(1e-6);
    expect(active.contrast).toBeGreaterThan(1e3 * inert.contrast);
    expect(inert.meanKl).toBe(0); // identical layers
  });
});

describe('quartiles', () => {
  it('pools samples and interpolates like numpy; null when empty', () => {
    expect(quartiles([4, 1], [3, 2, 5])).toEqual({ q1: 2, median: 3, q3: 4 });
    expect(quartiles([1, 2])).toEqual({ q1: 1.25, median: 1.5, q3: 1.75 });
    expect(quartiles([], [])).toBeNull();
  });
});
