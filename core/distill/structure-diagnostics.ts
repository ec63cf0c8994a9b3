import * as tf from '@tensorflow/tfjs';
import type { CsrGraph } from '../graph/csr';
import type { GraphOps } from '../tensor/graph-ops';
import { kernelOfLayer, type KernelChoice } from './layer-kernels';
import { neighbourValues, quartiles, type Quartiles } from './neighbour-distances';
import type { AlignmentPlan } from './plans';
import { edgeSimilarity, kernelRows, DEFAULT_L1_TAU, type SimilarityKernel } from './similarity';

/**
 * "Is the distillation doing anything?" Per planned pair (student layer i ← peer layer m), from
 * one student's and one peer's eval-mode hidden tensors on the evaluation nodes:
 *
 * - distanceOverTau: quartiles of the neighbour L1 distances d/τ of the peer layer (l1 kernels only;
 *   self-loops left out). The kernel exp(−d/τ) shapes the structure only where d/τ varies by order 1.
 * - meanKl: D(S, T), the KL(peer ‖ student) per node averaged over the nodes — the term itself.
 * - contrast: how far the peer's local structure (what the student is taught) is from uniform,
 *   1 − mean_v H(LS_v) / log(deg_v), over nodes v with at least 2 incoming edges (self-loop
 *   included). A node with 1 incoming edge has a one-point structure: H = log 1 = 0, nothing to
 *   teach and no gradient, so it is left out rather than counted as "fully contrasted"; NaN when
 *   no node has 2 incoming edges. studentContrast is the same for the student's layer.
 *
 * Everything after the kernel scores runs in float64 on the host: near-uniform structures differ
 * from uniform by ~1e-8, below float32 resolution of the per-edge probabilities.
 */

export interface PairDiagnostic {
  studentLayer: number;
  peerLayer: number;
  /** the l1 kernel's τ for this pair; null for other kernels */
  tau: number | null;
  /** quartiles of the peer layer's neighbour distances over τ; null for other kernels or without neighbour edges */
  distanceOverTau: Quartiles | null;
  meanKl: number;
  contrast: number;
  studentContrast: number;
}

/** log LS per edge in float64 from per-edge kernel scores: a max-shifted softmax over each node's incoming edges. */
export function logStructureFromScores(graph: CsrGraph, scores: ArrayLike<number>): Float64Array {
  const out = new Float64Array(graph.sources.length);
  for (let v = 0; v < graph.numNodes; v++) {
    const [start, end] = [graph.offsets[v], graph.offsets[v + 1]];
    if (start === end) continue;
    let max = -Infinity;
    for (let e = start; e < end; e++) max = Math.max(max, scores[e]);
    let sum = 0;
    for (let e = start; e < end; e++) sum += Math.exp(scores[e] - max);
    const logSum = max + Math.log(sum);
    for (let e = start; e < end; e++) out[e] = scores[e] - logSum;
  }
  return out;
}

function eachNode(graph: CsrGraph, nodes: Int32Array | undefined, visit: (v: number) => void): void {
  if (nodes) nodes.forEach(visit);
  else for (let v = 0; v < graph.numNodes; v++) visit(v);
}

/**
 * 1 − mean_v H(LS_v)/log(deg_v) over the nodes (default all) with deg_v ≥ 2, computed as the mean of
 * KL(LS_v ‖ uniform)/log(deg_v), which has no cancellation when LS_v is nearly uniform. NaN when no
 * listed node has 2 incoming edges.
 */
export function structureContrast(graph: CsrGraph, logProbs: ArrayLike<number>, nodes?: Int32Array): number {
  let total = 0;
  let counted = 0;
  eachNode(graph, nodes, (v) => {
    const [start, end] = [graph.offsets[v], graph.offsets[v + 1]];
    const degree = end - start;
    if (degree < 2) return;
    const logDegree = Math.log(degree);
    let klFromUniform = 0;
    for (let e = start; e < end; e++) klFromUniform += Math.exp(logProbs[e]) * (logProbs[e] + logDegree);
    total += klFromUniform / logDegree;
    counted++;
  });
  return counted > 0 ? total / counted : Number.NaN;
}

/** Σ_{u→v} LS_T (log LS_T − log LS_S), averaged over the nodes (default all): D(S, T) in float64. */
export function meanKlPerNode(graph: CsrGraph, peerLog: ArrayLike<number>, studentLog: ArrayLike<number>, nodes?: Int32Array): number {
  let total = 0;
  let count = 0;
  eachNode(graph, nodes, (v) => {
    for (let e = graph.offsets[v]; e < graph.offsets[v + 1]; e++) total += Math.exp(peerLog[e]) * (peerLog[e] - studentLog[e]);
    count++;
  });
  return count > 0 ? total / count : Number.NaN;
}

/** What one layer looks like under one kernel: its log structure, and its raw L1 distances for l1 kernels. */
interface LayerView {
  log: Float64Array;
  distances: Float32Array | null;
}

function viewOf(ops: GraphOps, graph: CsrGraph, h: tf.Tensor2D, kernel: SimilarityKernel): LayerView {
  if (kernel.kind === 'l1') {
    // scores from the downloaded distances in float64: exp(−d/τ) near 1 keeps its small variations
    const t = tf.tidy(() => {
      const rows = kernelRows(h, kernel);
      return ops.edgeDistance(graph, rows, rows, 'l1');
    });
    const distances = Float32Array.from(t.dataSync() as Float32Array);
    t.dispose();
    const tau = kernel.tau ?? DEFAULT_L1_TAU;
    return { log: logStructureFromScores(graph, Array.from(distances, (d) => Math.exp(-d / tau))), distances };
  }
  const t = edgeSimilarity(ops, graph, h, kernel);
  const scores = Float32Array.from(t.dataSync() as Float32Array);
  t.dispose();
  return { log: logStructureFromScores(graph, scores), distances: null };
}

/**
 * The diagnostic of every planned pair between one student and one peer. Pass eval-mode hidden
 * tensors (nothing here is differentiated) and the nodes the figures average over (the run's
 * evaluation nodes); `kernel` is the run's kernel choice (per-layer kernels under τ auto).
 */
export function pairDiagnostics(
  ops: GraphOps,
  graph: CsrGraph,
  studentHidden: readonly tf.Tensor2D[],
  peerHidden: readonly tf.Tensor2D[],
  plan: AlignmentPlan,
  kernel: KernelChoice,
  nodes?: Int32Array,
): PairDiagnostic[] {
  const cache = new Map<string, LayerView>();
  const view = (side: 'student' | 'peer', layer: number, k: SimilarityKernel) => {
    const key = `${side}:${layer}:${JSON.stringify(k)}`;
    let held = cache.get(key);
    if (!held) cache.set(key, (held = viewOf(ops, graph, (side === 'student' ? studentHidden : peerHidden)[layer], k)));
    return held;
  };
  return plan.pairs.map(({ student, peer }) => {
    const k = kernelOfLayer(kernel, peer);
    const peerView = view('peer', peer, k);
    const studentView = view('student', student, k);
    const tau = k.kind === 'l1' ? (k.tau ?? DEFAULT_L1_TAU) : null;
    const distanceOverTau =
      tau !== null && peerView.distances ? quartiles(neighbourValues(graph, peerView.distances, nodes).map((d) => d / tau)) : null;
    return {
      studentLayer: student,
      peerLayer: peer,
      tau,
      distanceOverTau,
      meanKl: meanKlPerNode(graph, peerView.log, studentView.log, nodes),
      contrast: structureContrast(graph, peerView.log, nodes),
      studentContrast: structureContrast(graph, studentView.log, nodes),
    };
  });
}
