import * as tf from '@tensorflow/tfjs';
import type { CsrGraph } from '../graph/csr';
import type { GraphOps } from '../tensor/graph-ops';
import { readAndDispose } from '../tensor/readback';
import { edgeSimilarity, kernelRows, type SimilarityKernel } from './similarity';

/**
 * What the structure diagnostics and τ auto read back of one layer, per edge in edge order: for the
 * l1 kernel, the L1 distances of the rows it compares (unit rows when it normalises), which do not
 * depend on τ, so one read serves every τ; for the other kernels, the kernel's scores. Not
 * differentiated; the caller reads it back (asynchronously: GPU backends have no synchronous read).
 */
export function kernelEdgeValues(ops: GraphOps, graph: CsrGraph, h: tf.Tensor2D, kernel: SimilarityKernel): tf.Tensor1D {
  if (kernel.kind !== 'l1') return edgeSimilarity(ops, graph, h, kernel);
  return tf.tidy(() => {
    const rows = kernelRows(h, kernel);
    return ops.edgeDistance(graph, rows, rows, 'l1');
  });
}

/**
 * The L1 distances the l1 kernel sees, ‖h_u − h_v‖₁ over the rows it compares (unit rows when the
 * kernel normalises), for the NEIGHBOUR edges u→v, u ≠ v, entering the given nodes (all nodes when
 * none are given), in edge order. Self-loops are left out: their distance is 0 whatever the
 * features, and counting them would pull every statistic towards 0 on low-degree nodes.
 */
export async function neighbourL1Distances(
  ops: GraphOps,
  graph: CsrGraph,
  h: tf.Tensor2D,
  kernel: Pick<SimilarityKernel, 'normalise'> = {},
  nodes?: Int32Array,
): Promise<Float64Array> {
  const [perEdge] = await readAndDispose([kernelEdgeValues(ops, graph, h, { kind: 'l1', ...kernel })]);
  return neighbourValues(graph, perEdge, nodes);
}

/** Per-edge values of the non-self-loop edges entering `nodes` (default: every node), in edge order. */
export function neighbourValues(graph: CsrGraph, perEdge: ArrayLike<number>, nodes?: Int32Array): Float64Array {
  const out: number[] = [];
  const visit = (v: number) => {
    for (let e = graph.offsets[v]; e < graph.offsets[v + 1]; e++) if (graph.sources[e] !== v) out.push(perEdge[e]);
  };
  if (nodes) nodes.forEach(visit);
  else for (let v = 0; v < graph.numNodes; v++) visit(v);
  return Float64Array.from(out);
}

export interface Quartiles {
  q1: number;
  median: number;
  q3: number;
}

/**
 * Quartiles of the pooled samples, by linear interpolation between order statistics (numpy's
 * default). null when there are no values. The spread we report is the interquartile range
 * q3 − q1: robust to the heavy tails of distance distributions, and drawable as a band.
 */
export function quartiles(...samples: ArrayLike<number>[]): Quartiles | null {
  const total = samples.reduce((n, s) => n + s.length, 0);
  if (total === 0) return null;
  const sorted = new Float64Array(total);
  let offset = 0;
  for (const s of samples) {
    sorted.set(s, offset);
    offset += s.length;
  }
  sorted.sort();
  const at = (p: number) => {
    const position = p * (total - 1);
    const low = Math.floor(position);
    const high = Math.min(low + 1, total - 1);
    return sorted[low] + (position - low) * (sorted[high] - sorted[low]);
  };
  return { q1: at(0.25), median: at(0.5), q3: at(0.75) };
}
