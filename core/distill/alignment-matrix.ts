import * as tf from '@tensorflow/tfjs';
import { UserError } from '../errors';
import type { CsrGraph } from '../graph/csr';
import type { GraphOps } from '../tensor/graph-ops';
import { isLayerKernels, kernelOfLayer, type KernelChoice } from './layer-kernels';
import { destinationMeanWeights, localStructureLog } from './local-structure';

/**
 * The per-layer alignment heatmap of an ordered pair of students (k, j): M[i][m] = D(H_k⁽ⁱ⁾, H_j⁽ᵐ⁾)
 * for every student layer i and peer layer m, not only the planned pairs. Pass eval-mode hidden
 * tensors; nothing here is differentiated. Returns row-major L × L' values (row = student layer).
 *
 * Each cell is summed from per-edge differences (not as "cross-entropy minus entropy"): with the
 * default kernel the distances are tiny (the local structures are near-uniform), and the
 * difference of two large sums would drown them in float32 rounding. With per-layer kernels (τ
 * auto) cell (i, m) measures both layers with peer layer m's kernel, as the training loss does.
 */
export function alignmentMatrix(
  ops: GraphOps,
  graph: CsrGraph,
  studentHidden: readonly tf.Tensor2D[],
  peerHidden: readonly tf.Tensor2D[],
  kernel: KernelChoice,
  nodes?: Int32Array,
): tf.Tensor2D {
  if (studentHidden.length === 0 || peerHidden.length === 0) {
    throw new UserError(`alignment matrix: both students need hidden layers (got ${studentHidden.length} and ${peerHidden.length})`);
  }
  return tf.tidy(() => {
    const nodeWeights = nodes
      ? tf.tensor1d(destinationMeanWeights(graph, nodes)).reshape([1, -1])
      : tf.scalar(1 / Math.max(graph.numNodes, 1));
    if (isLayerKernels(kernel)) {
      // column m measures both sides with peer layer m's kernel (τ auto): one student structure per (i, m)
      const columns = peerHidden.map((h, m) => {
        const column = kernelOfLayer(kernel, m);
        const logT = localStructureLog(ops, graph, h, column).reshape([1, -1]);
        const logS = tf.stack(studentHidden.map((hs) => localStructureLog(ops, graph, hs, column)));
        return logT.exp().mul(nodeWeights).mul(logT.sub(logS)).sum(1);
      });
      return tf.stack(columns, 1) as tf.Tensor2D;
    }
    const logS = tf.stack(studentHidden.map((h) => localStructureLog(ops, graph, h, kernel))) as tf.Tensor2D;
    const logT = tf.stack(peerHidden.map((h) => localStructureLog(ops, graph, h, kernel))) as tf.Tensor2D;
    const weightsT = logT.exp().mul(nodeWeights);
    const rows = studentHidden.map((_, i) => {
      const logSi = logS.slice([i, 0], [1, -1]);
      return weightsT.mul(logT.sub(logSi)).sum(1);
    });
    return tf.stack(rows) as tf.Tensor2D;
  });
}
