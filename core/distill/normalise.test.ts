import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { UserError } from '../errors';
import { Rng } from '../random';
import { GRAPH_OPS_UNDER_TEST } from '../models/testing/fixtures';
import { useCpuBackend } from '../tensor/testing/cpu-backend';
import { structureDistance, structureTarget } from './local-structure';
import { finiteDifferences, naiveSimilarity, naiveStructureDistance, randomRows, relativeError, toTensor, unevenGraph } from './testing/naive';
import { edgeSimilarity, validateKernel, type SimilarityKernel } from './similarity';

/** The normalise option (our extension): rows scaled to unit L2 norm before the kernel. */

useCpuBackend();

const NORMALISED: SimilarityKernel[] = [
  { kind: 'l1', tau: 0.5, normalise: true },
  { kind: 'rbf', sigma: 0.7, normalise: true },
  { kind: 'linear', normalise: true },
];

describe.each(GRAPH_OPS_UNDER_TEST)('normalised kernels with $implementation ops', (ops) => {
  const graph = unevenGraph(5, 25, 6);
  // rows of very different norms: without normalisation the large ones dominate the L1 distances
  const rows = randomRows(new Rng(6), 25, 4).map((row, i) => row.map((x) => x * (i % 3 === 0 ? 50 : 1)));

  it.each(NORMALISED)('matches the per-edge float64 kernel of unit rows, %j', (kernel) => {
    const values = tf.tidy(() => edgeSimilarity(ops, graph, toTensor(rows), kernel).arraySync());
    for (let v = 0; v < graph.numNodes; v++) {
      for (let e = graph.offsets[v]; e < graph.offsets[v + 1]; e++) {
        const expected = naiveSimilarity(kernel, rows[graph.sources[e]], rows[v]);
        expect(Math.abs(values[e] - expected)).toBeLessThan(1e-5 * Math.max(1, Math.abs(expected)));
      }
    }
  });

  it('makes the local structure invariant to each row\'s scale, which the plain kernel is not', () => {
    const rescaled = rows.map((row, i) => row.map((x) => x * (1 + 0.2 * i)));
    const kernel: SimilarityKernel = { kind: 'l1', tau: 0.5, normalise: true };
    const [same, plain] = tf.tidy(() => {
      const target = structureTarget(ops, graph, toTensor(rows), kernel);
      const plainKernel: SimilarityKernel = { kind: 'l1', tau: 5 };
      const plainTarget = structureTarget(ops, graph, toTensor(rows), plainKernel);
      return [
        structureDistance(ops, graph, toTensor(rescaled), target, kernel).dataSync()[0],
        structureDistance(ops, graph, toTensor(rescaled), plainTarget, plainKernel).dataSync()[0],
      ];
    });
    expect(same).toBeLessThan(1e-6);
    expect(plain).toBeGreaterThan(1e-3);
  });

  it.each(NORMALISED)('gradient of D wrt the student matches central differences of the float64 D, %j', (kernel) => {
    const small = unevenGraph(31, 12, 4);
    const rng = new Rng(8);
    const s = randomRows(rng, 12, 3);
    const t = randomRows(rng, 12, 3);
    const gradient = tf.tidy(() => {
      const target = structureTarget(ops, small, toTensor(t), kernel);
      return tf.grad((h) => structureDistance(ops, small, h as tf.Tensor2D, target, kernel))(toTensor(s)).dataSync();
    });
    const numeric = finiteDifferences((x) => naiveStructureDistance(small, x, t, kernel), s).flat();
    expect(Math.max(...numeric.map(Math.abs))).toBeGreaterThan(0);
    expect(relativeError(gradient, numeric)).toBeLessThan(2e-3);
  });
});

describe('normalise flag validation', () => {
  it('keeps only a true flag and rejects a non-boolean', () => {
    expect(validateKernel({ kind: 'l1', normalise: false })).toEqual({ kind: 'l1', tau: 100 });
    expect(validateKernel({ kind: 'l1', normalise: true })).toEqual({ kind: 'l1', tau: 100, normalise: true });
    expect(() => validateKernel({ kind: 'l1', normalise: 'yes' })).toThrow(UserError);
    expect(() => validateKernel({ kind: 'l1', normalise: 'yes' })).toThrow(/normalise must be true or false/);
  });
});
