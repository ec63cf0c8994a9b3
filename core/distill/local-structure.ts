import * as tf from '@tensorflow/tfjs';
import { UserError } from '../errors';
import type { CsrGraph } from '../graph/csr';
import type { GraphOps } from '../tensor/graph-ops';
import { constantCopy } from './constant';
import { kernelOfLayer, type KernelChoice } from './layer-kernels';
import { edgeSimilarity, type SimilarityKernel } from './similarity';

/**
 * Local structure of a layer and the distillation distance between two layers (ALGORITHM.md):
 *
 *   LS(u,v)  = softmax over the edges entering v of k(h_u, h_v)
 *   D(S, T)  = mean over nodes v of Σ_{u→v} LS_T(u,v) · (log LS_T(u,v) − log LS_S(u,v))
 *
 * i.e. KL(peer ‖ student) per node. The peer side is a StructureTarget: constant tensors computed
 * once per peer layer and student step, then reused by every planned pair that reads that layer.
 */

/** log LS per edge u→v, [E], in the graph's edge order; stable where LS itself would underflow. */
export function localStructureLog(ops: GraphOps, graph: CsrGraph, h: tf.Tensor2D, kernel: SimilarityKernel): tf.Tensor1D {
  return tf.tidy(() => ops.edgeLogSoftmax(graph, edgeSimilarity(ops, graph, h, kernel)));
}

/**
 * The peer's local structure of one layer, as constants: no gradient tape can reach the peer's
 * variables through these tensors (they are value copies), so the peer never receives a gradient
 * from the student's loss, wherever the caller computes them. Owned by the caller: dispose them.
 */
export interface StructureTarget {
  /** log LS_T per edge, [E] */
  readonly logProbs: tf.Tensor1D;
  /** LS_T per edge, [E] (= exp(logProbs), kept to avoid recomputing it for every pair) */
  readonly probs: tf.Tensor1D;
  /** the kernel the target was measured with; the student's side of a pair is measured with it too */
  readonly kernel?: SimilarityKernel;
}

/** peer layer index (0-based) → its target */
export type PeerStructureTargets = ReadonlyMap<number, StructureTarget>;

/** The constant target of one peer layer (see StructureTarget for the contract). */
export function structureTarget(ops: GraphOps, graph: CsrGraph, peerH: tf.Tensor2D, kernel: SimilarityKernel): StructureTarget {
  const [logProbs, probs] = tf.tidy(() => {
    const log = localStructureLog(ops, graph, peerH, kernel);
    return [constantCopy(log), constantCopy(log.exp())];
  });
  return { logProbs, probs, kernel };
}

/**
 * Targets of the peer layers `layers` (0-based, duplicates computed once). Contract: call it once
 * per student step, with the peer's hidden tensors from a forward pass outside the student's
 * gradient computation (eval mode, or train mode if the user asks), and reuse the map for every
 * planned pair; dispose it with disposeTargets after the step. With per-layer kernels (τ auto),
 * each layer's target uses that layer's kernel.
 */
export function peerTargets(
  ops: GraphOps,
  graph: CsrGraph,
  peerHidden: readonly tf.Tensor2D[],
  layers: Iterable<number>,
  kernel: KernelChoice,
): Map<number, StructureTarget> {
  const targets = new Map<number, StructureTarget>();
  for (const layer of layers) {
    if (targets.has(layer)) continue;
    const h = peerHidden[layer];
    if (!h) throw new UserError(`distillation: peer layer ${layer + 1} does not exist (the peer has ${peerHidden.length} hidden layers)`);
    targets.set(layer, structureTarget(ops, graph, h, kernelOfLayer(kernel, layer)));
  }
  return targets;
}

export function disposeTargets(targets: PeerStructureTargets): void {
  for (const { logProbs, probs } of targets.values()) {
    logProbs.dispose();
    probs.dispose();
  }
}

// Per-edge weight of "mean over the given nodes": 1/|nodes| on every edge entering a listed node
// (once per listing). Cached per node array and graph: splits are built once and reused every epoch,
// so a node array must not be modified after its first use here.
const nodeWeightCache = new WeakMap<Int32Array, WeakMap<CsrGraph, Float32Array>>();

/** [E] weights w with Σ_e w_e·x_e = mean over `nodes` of the per-node sums of x over incoming edges. */
export function destinationMeanWeights(graph: CsrGraph, nodes: Int32Array): Float32Array {
  let byGraph = nodeWeightCache.get(nodes);
  const cached = byGraph?.get(graph);
  if (cached) return cached;
  if (nodes.length === 0) throw new UserError('distillation: the node set to average over is empty');
  const weights = new Float32Array(graph.sources.length);
  const share = 1 / nodes.length;
  for (let i = 0; i < nodes.length; i++) {
    const v = nodes[i];
    if (!(v >= 0 && v < graph.numNodes)) {
      throw new UserError(`distillation: node index ${v} (position ${i}) is out of range for a graph of ${graph.numNodes} nodes`);
    }
    for (let e = graph.offsets[v]; e < graph.offsets[v + 1]; e++) weights[e] += share;
  }
  if (!byGraph) nodeWeightCache.set(nodes, (byGraph = new WeakMap()));
  byGraph.set(graph, weights);
  return weights;
}

/**
 * D(S,T) from the student's log LS (differentiable) and the peer's target. The mean over nodes of
 * per-node sums is a weighted sum over edges (weight 1/N, or 1/|nodes| on edges entering listed
 * nodes), so no per-node reduction is needed. Edges where LS_T underflows to 0 contribute 0.
 */
export function structureKl(graph: CsrGraph, studentLogProbs: tf.Tensor1D, target: StructureTarget, nodes?: Int32Array): tf.Scalar {
  const edges = graph.sources.length;
  if (studentLogProbs.shape[0] !== edges || target.logProbs.shape[0] !== edges) {
    throw new Error(
      `structureKl: student (${studentLogProbs.shape[0]}) and peer (${target.logProbs.shape[0]}) structures must have one entry per edge (${edges})`,
    );
  }
  return tf.tidy(() => {
    const weights = nodes
      ? target.probs.mul(tf.tensor1d(destinationMeanWeights(graph, nodes)))
      : target.probs.div(Math.max(graph.numNodes, 1));
    return weights.mul(target.logProbs.sub(studentLogProbs)).sum();
  });
}

/** D(S,T) for a student hidden tensor against a peer layer's target, averaged over all nodes or `nodes`. */
export function structureDistance(
  ops: GraphOps,
  graph: CsrGraph,
  studentH: tf.Tensor2D,
  target: StructureTarget,
  kernel: SimilarityKernel,
  nodes?: Int32Array,
): tf.Scalar {
  return tf.tidy(() => structureKl(graph, localStructureLog(ops, graph, studentH, kernel), target, nodes));
}
