import type { LayerKernels } from './layer-kernels';
import { quartiles } from './neighbour-distances';
import type { SimilarityKernel } from './similarity';

/**
 * τ auto (our extension): the l1 kernel exp(−‖Δ‖₁/τ) only shapes the local structure where d/τ
 * varies across a node's neighbours by order 1. A fixed τ = 100 suits the authors' GAT on PPI
 * (distances 55–130) but leaves a 64-wide GCN on Cora (distances ~0.1) with a near-uniform
 * structure. τ auto sets each peer layer's τ to its median neighbour L1 distance, so d/τ ≈ 1 at
 * the median whatever the scale of the features.
 *
 * When: ONCE, before the first training step, from every student's initial weights (eval mode)
 * over every training batch, pooled per layer. A fixed τ keeps the objective the same function
 * for the whole run (Adam's moments, the loss curves and the convergence summary stay comparable
 * across epochs); it needs no state to resume; and one number per layer is easy to record and
 * report. A running estimate would make the distillation target chase the features it shapes.
 * The cost: the regime can drift as the features grow; the per-epoch diagnostic (d/τ quartiles)
 * shows whether it did.
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
 * τ per layer from pooled neighbour distances: `distances[layer]` lists the samples (one per
 * student and batch, e.g. from neighbourL1Distances) of that layer. A layer whose median distance
 * is 0 or undefined (all rows equal, or no neighbour edges) keeps `fallbackTau`.
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
export function tauKernels(base: Extract<SimilarityKernel, { kind: 'l1' }>, taus: readonly LayerTau[]): LayerKernels {
  return { byLayer: new Map(taus.map(({ layer, tau }) => [layer, { ...base, tau }])) };
}
