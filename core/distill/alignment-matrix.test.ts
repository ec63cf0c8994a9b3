import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { Rng } from '../random';
import { GRAPH_OPS_UNDER_TEST } from '../models/testing/fixtures';
import { useCpuBackend } from '../tensor/testing/cpu-backend';
import { alignmentMatrix } from './alignment-matrix';
import { structureDistance, structureTarget } from './local-structure';
import { naiveStructureDistance, randomRows, toTensor, unevenGraph } from './testing/naive';
import type { SimilarityKernel } from './similarity';

useCpuBackend();

describe.each(GRAPH_OPS_UNDER_TEST)('alignmentMatrix with $implementation ops', (ops) => {
  const graph = unevenGraph(61, 35, 7);
  const rng = new Rng(9);
  // student: 3 layers of different widths; peer: 2 layers
  const studentRows = [4, 6, 4].map((w) => randomRows(rng, 35, w));
  const peerRows = [6, 4].map((w) => randomRows(rng, 35, w));
  const nodes = Int32Array.from([2, 5, 8, 13, 21, 34]);

  for (const kernel of [{ kind: 'l1' }, { kind: 'cosine' }] as SimilarityKernel[]) {
    for (const subset of [undefined, nodes]) {
      it(`matches per-cell structureDistance and the float64 D (${kernel.kind}, ${subset ? 'node subset' : 'all nodes'})`, () => {
        const before = tf.memory().numTensors;
        const studentHidden = studentRows.map(toTensor);
        const peerHidden = peerRows.map(toTensor);
        const result = alignmentMatrix(ops, graph, studentHidden, peerHidden, kernel, subset);
        expect(result.shape).toEqual([3, 2]);
        const matrix = result.dataSync();
        result.dispose();
        for (let i = 0; i < 3; i++) {
          for (let m = 0; m < 2; m++) {
            const cell = tf.tidy(() => {
              const target = structureTarget(ops, graph, peerHidden[m], kernel);
              return structureDistance(ops, graph, studentHidden[i], target, kernel, subset).dataSync()[0];
            });
            const naive = naiveStructureDistance(graph, studentRows[i], peerRows[m], kernel, subset);
            expect(Math.abs(matrix[i * 2 + m] - cell)).toBeLessThan(1e-4 * cell);
            // float32 log-structures near log(1/degree) lose ~1e-7 each; D itself is ~1e-4 with the default kernel
            expect(Math.abs(matrix[i * 2 + m] - naive)).toBeLessThan(1e-3 * naive);
          }
        }
        tf.dispose([...studentHidden, ...peerHidden]);
        expect(tf.memory().numTensors).toBe(before);
      });
    }
  }

  it('has an exactly zero diagonal when both lists are the same layers', () => {
    const hidden = [4, 4, 4].map((w) => toTensor(randomRows(rng, 35, w)));
    const result = alignmentMatrix(ops, graph, hidden, hidden, { kind: 'l1' }, nodes);
    const matrix = result.dataSync();
    result.dispose();
    for (let i = 0; i < 3; i++) {
      expect(matrix[i * 3 + i]).toBe(0);
      for (let m = 0; m < 3; m++) if (m !== i) expect(matrix[i * 3 + m]).toBeGreaterThan(0);
    }
    tf.dispose(hidden);
  });
});
