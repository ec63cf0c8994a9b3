import * as tf from '@tensorflow/tfjs';
import type { CsrGraph } from '../graph/csr';

/** Row-wise distance between a source row and a destination row, per edge. */
export type EdgeDistanceKind = 'dot' | 'l1' | 'sqeuclidean';

/** Reduction of per-edge values into their destination node. */
export type SegmentOp = 'sum' | 'mean' | 'max';

/**
 * The fused message-passing primitives that models and distillation are written in (in the spirit
 * of DGL's g-SpMM / g-SDDMM). Every op is differentiable in all its tensor inputs and never builds an
 * edges × features tensor. Edge-indexed tensors follow the graph's by-destination edge order
 * (see CsrGraph). One implementation per backend family: typed-array kernels for WASM/CPU, native
 * gather/segment ops for the TensorFlow backends, WGSL compute kernels for WebGPU.
 */
export interface GraphOps {
  /** which implementation this is, for reports: "kernels", "native", "webgpu" or "reference" */
  readonly implementation: string;

  /**
   * Weighted sparse × dense by destination: out[v] = Σ_{e = u→v} w[e] · x[u].
   * x: [N, F]. weights: omitted (all ones), [E] (one weight per edge), or [E, H] with F = H·D
   * (per-head weights, head h scaling columns h·D .. (h+1)·D−1, as GAT's concatenated heads need).
   */
  spmm(graph: CsrGraph, x: tf.Tensor2D, weights?: tf.Tensor1D | tf.Tensor2D): tf.Tensor2D;

  /** Per-edge sum of projections: out[e, h] = src[u, h] + dst[v, h] for e = u→v (GAT logits). src, dst: [N, H]. */
  edgeAdd(graph: CsrGraph, src: tf.Tensor2D, dst: tf.Tensor2D): tf.Tensor2D;

  /** Per-edge row distance: out[e] = kind(x[u], y[v]); dot = xᵀy, l1 = ‖x−y‖₁, sqeuclidean = ‖x−y‖². x, y: [N, F]. */
  edgeDistance(graph: CsrGraph, x: tf.Tensor2D, y: tf.Tensor2D, kind: EdgeDistanceKind): tf.Tensor1D;

  /** Softmax of scores over the edges entering each destination (per column when [E, H]); subtracts the per-destination max. */
  edgeSoftmax<T extends tf.Tensor1D | tf.Tensor2D>(graph: CsrGraph, scores: T): T;

  /** log of edgeSoftmax, computed as s − logsumexp so that it stays finite where the softmax underflows. */
  edgeLogSoftmax<T extends tf.Tensor1D | tf.Tensor2D>(graph: CsrGraph, scores: T): T;

  /**
   * Reduce per-edge values into destinations: values [E] → [N], [E, F] → [N, F].
   * mean divides by the in-degree; nodes with no incoming edges get 0 for every op.
   * The gradient of max goes to the first arg-max edge.
   */
  segmentReduce<T extends tf.Tensor1D | tf.Tensor2D>(graph: CsrGraph, values: T, op: SegmentOp): T;

  /** Element-wise max over incoming neighbours' rows: out[v, f] = max_{u→v} x[u, f] (0 where none). GraphSAGE max-pool. */
  neighbourMax(graph: CsrGraph, x: tf.Tensor2D): tf.Tensor2D;

  /**
   * Optional fused GAT attention, edgeSoftmax(leakyRelu(edgeAdd(src, dst), negativeSlope)): [E, H]
   * without the [E, H] intermediates. Callers use `edgeAttention`, which composes the three ops
   * where an implementation has no fused form.
   */
  edgeAttention?(graph: CsrGraph, src: tf.Tensor2D, dst: tf.Tensor2D, negativeSlope: number): tf.Tensor2D;
}

/** GAT attention α [E, H] = softmax over incoming edges of LeakyReLU(src[u] + dst[v]), fused where `ops` can. */
export function edgeAttention(ops: GraphOps, graph: CsrGraph, src: tf.Tensor2D, dst: tf.Tensor2D, negativeSlope: number): tf.Tensor2D {
  if (ops.edgeAttention) return ops.edgeAttention(graph, src, dst, negativeSlope);
  return tf.tidy(() => ops.edgeSoftmax(graph, tf.leakyRelu(ops.edgeAdd(graph, src, dst), negativeSlope)));
}
