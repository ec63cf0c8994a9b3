import * as tf from '@tensorflow/tfjs';
import type { CsrGraph } from '../graph/csr';
import type { GraphOps } from '../tensor/graph-ops';
import { readAndDispose } from '../tensor/readback';
import { isLayerKernels, kernelOfLayer, type KernelChoice } from './layer-kernels';
import { kernelEdgeValues, neighbourValues, quartiles, type Quartiles } from './neighbour-distances';
import type { AlignmentPlan } from './plans';
import { DEFAULT_L1_TAU, type SimilarityKernel } from './similarity';

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
  distances: ArrayLike<number> | null;
}

/**
 * A layer's view from its read-back kernelEdgeValues: l1 scores are taken in float64 from the
 * distances (exp(−d/τ) near 1 keeps its small variations); other kernels' scores as read.
 */
function viewOf(graph: CsrGraph, values: ArrayLike<number>, kernel: SimilarityKernel): LayerView {
  if (kernel.kind !== 'l1') return { log: logStructureFromScores(graph, values), distances: null };
  const tau = kernel.tau ?? DEFAULT_L1_TAU;
  return { log: logStructureFromScores(graph, Array.from(values, (d) => Math.exp(-d / tau))), distances: values };
}

/**
 * The read-back kernelEdgeValues of each hidden layer of a student and of a peer, under the run's
 * kernel family (for l1: the distances, whatever τ; per-layer τ are applied on the host).
 */
export interface LayerEdgeValues {
  student: readonly ArrayLike<number>[];
  peer: readonly ArrayLike<number>[];
}

/**
 * The diagnostic of every planned pair between one student and one peer, on the host, from the
 * layers' read-back edge values (see LayerEdgeValues); `nodes` are the nodes the figures average
 * over (the run's evaluation nodes). The trainer's once-per-epoch structure pass calls this.
 */
export function diagnosticsFromEdgeValues(
  graph: CsrGraph,
  values: LayerEdgeValues,
  plan: AlignmentPlan,
  kernel: KernelChoice,
  nodes?: Int32Array,
): PairDiagnostic[] {
  const cache = new Map<string, LayerView>();
  const view = (side: 'student' | 'peer', layer: number, k: SimilarityKernel) => {
    const key = `${side}:${layer}:${JSON.stringify(k)}`;
    let held = cache.get(key);
    if (!held) {
      const layerValues = values[side][layer];
      if (!layerValues) throw new Error(`diagnostics: the ${side} has no hidden layer ${layer + 1} (it has ${values[side].length})`);
      cache.set(key, (held = viewOf(graph, layerValues, k)));
    }
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

/**
 * The diagnostic of every planned pair between one student and one peer, from their eval-mode
 * hidden tensors (nothing here is differentiated): computes each layer's edge values, reads them
 * back together (asynchronously) and calls diagnosticsFromEdgeValues. `kernel` is the run's kernel
 * choice (per-layer kernels under τ auto); the kernels of one choice share one kind.
 */
export async function pairDiagnostics(
  ops: GraphOps,
  graph: CsrGraph,
  studentHidden: readonly tf.Tensor2D[],
  peerHidden: readonly tf.Tensor2D[],
  plan: AlignmentPlan,
  kernel: KernelChoice,
  nodes?: Int32Array,
): Promise<PairDiagnostic[]> {
  const family = isLayerKernels(kernel) ? kernel.byLayer.values().next().value : kernel;
  if (!family) throw new Error('pairDiagnostics: the layer kernels are empty');
  const tensors = tf.tidy(() => [...studentHidden, ...peerHidden].map((h) => kernelEdgeValues(ops, graph, h, family)));
  const read = await readAndDispose(tensors);
  const values = { student: read.slice(0, studentHidden.length), peer: read.slice(studentHidden.length) };
  return diagnosticsFromEdgeValues(graph, values, plan, kernel, nodes);
}
