import type * as tf from '@tensorflow/tfjs';
import type { CsrGraph } from '../graph/csr';
import type { GraphOps } from '../tensor/graph-ops';
import type { LayerKernels } from './layer-kernels';
import { neighbourL1Distances, quartiles } from './neighbour-distances';
import { DEFAULT_L1_TAU, type SimilarityKernel } from './similarity';

/**
 * τ auto (our extension): the l1 kernel exp(−‖Δ‖₁/τ) only shapes the local structure where d/τ
 * varies across a node's neighbours by order 1. A fixed τ = 100 suits the authors' GAT on PPI
 * (distances 55–130) but leaves a 64-wide GCN on Cora (distances ~0.1) with a near-uniform
 * structure. τ auto sets each peer layer's τ to its median neighbour L1 distance, so d/τ = 1 at
 * the median whatever the scale of the features.
 *
 * When: a running estimate, refreshed once per epoch. Before the first step and after every epoch,
 * each peer's τ per layer is measured in eval mode on the evaluation nodes (the pass that records
 * the per-epoch diagnostic) and held, as a constant (no gradient flows through τ), for the next
 * epoch's steps; both sides of a pair use it. We first fixed τ once from the initial weights, and
 * measured it drifting on Cora (GCN, 4 × 64; bench/science/structure-regime.ts): the features grow
 * during training, and within 2–5 epochs the deeper layers reached d/τ ≈ 17–280 at the median,
 * where every neighbour scores ≈ 0 next to the self-loop: the term was inert again, from the other
 * side. Refreshing per epoch tracks that growth; refreshing per step would too, but would read the
 * peer's distances back on every step, which asynchronous GPU backends only allow once per epoch.
 * Per epoch, the τ in use is exactly the one recorded with the diagnostic, and a fixed objective
 * holds within each epoch. Resuming needs no stored τ: eval mode is deterministic, so τ measured
 * from the restored weights is the one the interrupted run would have used.
 *
 * The gradient cap (core/train/capped-gradients.ts, applied by the trainer under τ auto): the
 * structure term's gradient is scaled, where it is the larger, to the norm of the rest of the
 * loss's gradient. Without it τ auto stalled the task on Cora (GCN 4 × 64, K = 2, a = 1) in 3 of 5
 * seeds, at chance (task loss ln 7) for all 200 epochs. Measured (bench/science/tau-stall.ts): the
 * KL's value is scale-free when τ follows the features, but its gradient grows as 1/τ, and at
 * initialisation the features are tiny (mean |h| 1e-3–4e-3, τ 0.02–0.2), so the term's gradient on
 * every hidden weight was 3–8× the task's. Adam turns that into full-size steps (lr 0.01, larger
 * than the pre-activations themselves) that chase a random peer's structure, and they switch ReLUs
 * off: positive pre-activations fell from ~50% to 6–15% within 5–20 epochs, and a dead unit gets
 * no gradient from either term again. The output then sees a constant, the task sits at its
 * bias-only optimum, and τ follows the dying features down (1/τ grows further). Freezing τ at its
 * epoch-0 value or flooring it there stalls the same way (the stall starts while τ still rises),
 * as does the one-to-one plan. a = 0.1 learns, slowly. A 20-epoch linear ramp of a rescued one
 * seed but not another, where the task had not grown the features by the ramp's end: a schedule
 * only delays the takeover. The cap needs no constant and no schedule: the term steers every
 * step, never more than the rest of the loss does. Its price is a second forward and backward
 * pass per step under τ auto (the two gradients are taken apart).
 */

export interface LayerTau {
  /** hidden layer, 0-based */
  layer: number;
  tau: number;
  /** the pooled median neighbour distance (NaN when the layer had no neighbour edges) */
  median: number;
  /** how many neighbour edges the median was taken over */
  edges: number;
  /** true when the median was 0 or undefined and the configured τ was kept */
  fallback: boolean;
}

/**
 * τ per layer from pooled neighbour distances: `distances[layer]` lists the samples (e.g. one per
 * batch, from neighbourL1Distances) of that layer. A layer whose median distance is 0 or undefined
 * (all rows equal, or no neighbour edges) keeps `fallbackTau`.
 */
export function autoTaus(distances: readonly (readonly ArrayLike<number>[])[], fallbackTau: number): LayerTau[] {
  return distances.map((samples, layer) => {
    const q = quartiles(...samples);
    const edges = samples.reduce((n, s) => n + s.length, 0);
    const median = q?.median ?? Number.NaN;
    const usable = Number.isFinite(median) && median > 0;
    return { layer, tau: usable ? median : fallbackTau, median, edges, fallback: !usable };
  });
}

/** The per-layer kernels of an l1 kernel with the given τ (its other fields kept, normalise included). */
export function tauKernels(base: L1Kernel, taus: readonly LayerTau[]): LayerKernels {
  return { byLayer: new Map(taus.map(({ layer, tau }) => [layer, { ...base, tau }])) };
}

export type L1Kernel = Extract<SimilarityKernel, { kind: 'l1' }>;

/**
 * τ auto for one peer: each listed layer's τ from that layer's median neighbour distance over the
 * edges entering `nodes` (default all) of `graph`, with `base.tau` as the fallback. Reads the
 * distances back (asynchronously). The trainer does the same from the distances its once-per-epoch
 * structure pass reads (core/train/structure-pass.ts), with autoTaus.
 */
export async function peerAutoTau(
  ops: GraphOps,
  graph: CsrGraph,
  peerHidden: readonly tf.Tensor2D[],
  layers: Iterable<number>,
  base: L1Kernel,
  nodes?: Int32Array,
): Promise<{ kernels: LayerKernels; taus: LayerTau[] }> {
  const wanted = [...new Set(layers)];
  const missing = wanted.find((layer) => !peerHidden[layer]);
  if (missing !== undefined) throw new Error(`peerAutoTau: the peer has no hidden layer ${missing + 1} (it has ${peerHidden.length})`);
  const samples: Float64Array[][] = [];
  for (const layer of wanted) samples.push([await neighbourL1Distances(ops, graph, peerHidden[layer], base, nodes)]);
  const taus = autoTaus(samples, base.tau ?? DEFAULT_L1_TAU).map((t, i) => ({ ...t, layer: wanted[i] }));
  return { kernels: tauKernels(base, taus), taus };
}
