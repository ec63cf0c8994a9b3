import * as tf from '@tensorflow/tfjs';
import { UserError } from '../errors';
import type { CsrGraph } from '../graph/csr';
import type { GraphOps } from '../tensor/graph-ops';
import { destinationMeanWeights, localStructureLog } from './local-structure';
import type { SimilarityKernel } from './similarity';

/**
 * The per-layer alignment heatmap of an ordered pair of students (k, j): M[i][m] = D(H_k⁽ⁱ⁾, H_j⁽ᵐ⁾)
 * for every student layer i and peer layer m, not only the planned pairs. Pass eval-mode hidden
 * tensors; nothing here is differentiated. Returns the [L, L'] matrix (row = student layer) as a
 * tensor, for the caller to read when it reads the epoch's other figures.
 *
 * Each cell is summed from per-edge differences (not as "cross-entropy minus entropy"): with the
 * default kernel the distances are tiny (the local structures are near-uniform), and the
 * difference of two large sums would drown them in float32 rounding.
 */
export function alignmentMatrix(
  ops: GraphOps,
  graph: CsrGraph,
  studentHidden: readonly tf.Tensor2D[],
  peerHidden: readonly tf.Tensor2D[],
  kernel: SimilarityKernel,
  nodes?: Int32Array,
): tf.Tensor2D {
  if (studentHidden.length === 0 || peerHidden.length === 0) {
    throw new UserError(`alignment matrix: both students need hidden layers (got ${studentHidden.length} and ${peerHidden.length})`);
  }
  return tf.tidy(() => {
    const logS = tf.stack(studentHidden.map((h) => localStructureLog(ops, graph, h, kernel))) as tf.Tensor2D;
    const logT = tf.stack(peerHidden.map((h) => localStructureLog(ops, graph, h, kernel))) as tf.Tensor2D;
    const nodeWeights = nodes
      ? tf.tensor1d(destinationMeanWeights(graph, nodes)).reshape([1, -1])
      : tf.scalar(1 / Math.max(graph.numNodes, 1));
    const weightsT = logT.exp().mul(nodeWeights);
    const rows = studentHidden.map((_, i) => {
      const logSi = logS.slice([i, 0], [1, -1]);
      return weightsT.mul(logT.sub(logSi)).sum(1);
    });
    return tf.stack(rows) as tf.Tensor2D;
  });
}
