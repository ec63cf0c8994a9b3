import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildGraph } from '../graph/build';
import { Rng } from '../random';
import { GRAPH_OPS_UNDER_TEST } from '../models/testing/fixtures';
import { alignmentMatrix } from './alignment-matrix';
import { autoTaus, peerAutoTau, tauKernels } from './auto-tau';
import type { LayerKernels } from './layer-kernels';
import { disposeTargets, peerTargets } from './local-structure';
import { flat, inTensorScopeAsync, naiveStructureDistance, randomRows, unevenGraph, type Rows } from './testing/naive';
import { neighbourL1Distances } from './neighbour-distances';
import { builtinPlan, peerLayersOf } from './plans';
import { planStructureLoss } from './structure-loss';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const toTensor = (rows: Rows) => tf.tensor2d(flat(rows), [rows.length, rows[0].length]);
// the path 0 – 1 – 2 – 3 (symmetrised, self-loops added)
const path = buildGraph(4, [0, 1, 2], [1, 2, 3]);

describe.each(GRAPH_OPS_UNDER_TEST)('τ auto with $implementation ops', (ops) => {
  const distances = (rows: Rows, normalise = false, nodes?: Int32Array) =>
    inTensorScopeAsync(() => neighbourL1Distances(ops, path, toTensor(rows), { normalise }, nodes));

  it('is the median neighbour L1 distance of the fixture graph, self-loops left out', async () => {
    // 1-D features 0, 1, 3, 6: neighbour distances 1, 1, 2, 2, 3, 3 (each edge both ways) → median 2
    const layer = [[0], [1], [3], [6]];
    expect(Array.from(await distances(layer)).sort()).toEqual([1, 1, 2, 2, 3, 3]);
    const [tau] = autoTaus([[await distances(layer)]], 100);
    expect(tau).toEqual({ layer: 0, tau: 2, median: 2, edges: 6, fallback: false });
    // only the edges entering nodes 2 and 3: 2 (from 1), 3 (from 3→2), 3 (from 2→3) → median 3
    expect(autoTaus([[await distances(layer, false, Int32Array.from([2, 3]))]], 100)[0].tau).toBe(3);
  });

  it('pools every student and batch of a layer, and keeps the configured τ for a layer with no spread', async () => {
    const a = await distances([[0], [1], [3], [6]]);
    const b = await distances([[0], [10], [30], [60]]);
    const zero = await distances([[5], [5], [5], [5]]);
    const taus = autoTaus([[a, b], [zero]], 100);
    expect(taus[0].tau).toBe(6.5); // 1 1 2 2 3 3 10 10 20 20 30 30
    expect(taus[0].edges).toBe(12);
    expect(taus[1]).toMatchObject({ layer: 1, tau: 100, median: 0, fallback: true });
    expect(autoTaus([[]], 7)[0]).toMatchObject({ tau: 7, fallback: true, edges: 0 });
    expect(autoTaus([[]], 7)[0].median).toBeNaN();
  });

  it('measures normalised rows when the kernel normalises', async () => {
    // unit rows (1,0), (0,1), (−1,0), (0,−1): every neighbour distance is 2; raw rows give 3, 5, 4
    const rows = [[1, 0], [0, 2], [-3, 0], [0, -1]];
    expect(autoTaus([[await distances(rows, true)]], 100)[0].tau).toBeCloseTo(2, 6);
    expect(autoTaus([[await distances(rows)]], 100)[0].tau).toBe(4);
  });
});

describe('per-layer kernels (τ auto) in the distillation term and the heatmap', () => {
  const ops = GRAPH_OPS_UNDER_TEST[1];
  const graph = unevenGraph(71, 25, 5);
  const rng = new Rng(5);
  const studentRows = [0, 1, 2].map(() => randomRows(rng, 25, 4));
  const peerRows = [0, 1, 2].map((m) => randomRows(rng, 25, 4, 1 + 3 * m));
  let taus: ReturnType<typeof autoTaus>;
  let kernels: ReturnType<typeof tauKernels>;
  beforeAll(async () => {
    const samples: Float64Array[][] = [];
    for (const rows of peerRows) samples.push([await inTensorScopeAsync(() => neighbourL1Distances(ops, graph, toTensor(rows)))]);
    taus = autoTaus(samples, 100);
    kernels = tauKernels({ kind: 'l1', tau: 100 }, taus);
  });

  it('gives each layer its own τ, growing with the layer scale', () => {
    expect(taus.every((t) => !t.fallback)).toBe(true);
    expect(taus[2].tau).toBeGreaterThan(2 * taus[0].tau);
    expect([...kernels.byLayer.values()]).toEqual(taus.map((t) => ({ kind: 'l1', tau: t.tau })));
  });

  it("planStructureLoss measures pair (i ← m) with layer m's τ on both sides", () => {
    const plan = builtinPlan('align-ahead', 3);
    const loss = tf.tidy(() => {
      const targets = peerTargets(ops, graph, peerRows.map(toTensor), peerLayersOf(plan), kernels);
      const value = planStructureLoss(ops, graph, studentRows.map(toTensor), [targets], plan, kernels).dataSync()[0];
      disposeTargets(targets);
      return value;
    });
    let expected = 0;
    for (const { student, peer } of plan.pairs) {
      expected += naiveStructureDistance(graph, studentRows[student], peerRows[peer], { kind: 'l1', tau: taus[peer].tau });
    }
    expect(expected).toBeGreaterThan(0);
    expect(Math.abs(loss - expected)).toBeLessThan(1e-4 * expected);
  });

  it('peerAutoTau gives the same τ from one peer on one batch, and each peer\'s targets carry their own τ', async () => {
    const one = await inTensorScopeAsync(() => peerAutoTau(ops, graph, peerRows.map(toTensor), [0, 1, 2], { kind: 'l1', tau: 100 }));
    expect(one.taus.map((t) => t.tau)).toEqual(taus.map((t) => t.tau));
    // a second peer twice as large: its τ doubles, and the loss measures the student with each peer's own τ
    const plan = builtinPlan('one-to-one', 3);
    const twice = peerRows.map((rows) => rows.map((row) => row.map((x) => 2 * x)));
    const peerKernels: LayerKernels[] = [];
    for (const rows of [peerRows, twice]) {
      peerKernels.push((await inTensorScopeAsync(() => peerAutoTau(ops, graph, rows.map(toTensor), [0, 1, 2], { kind: 'l1', tau: 100 }))).kernels);
    }
    const loss = tf.tidy(() => {
      const peers = [peerRows, twice].map((rows, p) => peerTargets(ops, graph, rows.map(toTensor), [0, 1, 2], peerKernels[p]));
      const value = planStructureLoss(ops, graph, studentRows.map(toTensor), peers, plan, { kind: 'l1', tau: 100 }).dataSync()[0];
      peers.forEach(disposeTargets);
      return value;
    });
    let expected = 0;
    for (const [rows, scale] of [[peerRows, 1], [twice, 2]] as const) {
      for (const { student, peer } of plan.pairs) {
        expected += naiveStructureDistance(graph, studentRows[student], rows[peer], { kind: 'l1', tau: scale * taus[peer].tau }) / 2;
      }
    }
    expect(Math.abs(loss - expected)).toBeLessThan(1e-4 * expected);
    await expect(inTensorScopeAsync(() => peerAutoTau(ops, graph, peerRows.map(toTensor), [3], { kind: 'l1' }))).rejects.toThrow(/no hidden layer 4/);
  });

  it('fills heatmap column m with layer m\'s τ', () => {
    const matrix = tf.tidy(() => alignmentMatrix(ops, graph, studentRows.map(toTensor), peerRows.map(toTensor), kernels)).dataSync();
    for (let i = 0; i < 3; i++) {
      for (let m = 0; m < 3; m++) {
        const expected = naiveStructureDistance(graph, studentRows[i], peerRows[m], { kind: 'l1', tau: taus[m].tau });
        expect(Math.abs(matrix[i * 3 + m] - expected)).toBeLessThan(1e-4 * expected + 1e-7);
      }
    }
  });
});
