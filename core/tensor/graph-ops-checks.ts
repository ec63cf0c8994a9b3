import type * as tf from '@tensorflow/tfjs';
import type { CsrGraph } from '../graph/csr';

/**
 * Shape checks shared by every GraphOps implementation, so that a model wired to the wrong graph
 * fails with the op, the argument and both sizes named instead of an index error deep in a kernel.
 */

export function checkNodeRows(op: string, name: string, t: tf.Tensor, graph: CsrGraph, rank?: number): void {
  if (rank !== undefined && t.rank !== rank) {
    throw new RangeError(`graphOps.${op}: ${name} must have rank ${rank}, got shape [${t.shape}]`);
  }
  if (t.shape[0] !== graph.numNodes) {
    throw new RangeError(`graphOps.${op}: ${name} has ${t.shape[0]} rows but the graph has ${graph.numNodes} nodes`);
  }
}

export function checkEdgeRows(op: string, name: string, t: tf.Tensor, graph: CsrGraph): void {
  if (t.rank !== 1 && t.rank !== 2) {
    throw new RangeError(`graphOps.${op}: ${name} must be [E] or [E, H], got shape [${t.shape}]`);
  }
  if (t.shape[0] !== graph.sources.length) {
    throw new RangeError(`graphOps.${op}: ${name} has ${t.shape[0]} rows but the graph has ${graph.sources.length} edges`);
  }
}

export function checkSameShape(op: string, a: tf.Tensor, b: tf.Tensor): void {
  if (a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i])) {
    throw new RangeError(`graphOps.${op}: operands have different shapes [${a.shape}] and [${b.shape}]`);
  }
}

/** Checks spmm's weights and returns the head count (1 for none or [E]). */
export function checkSpmmWeights(graph: CsrGraph, x: tf.Tensor2D, weights?: tf.Tensor): number {
  checkNodeRows('spmm', 'x', x, graph, 2);
  if (!weights) return 1;
  checkEdgeRows('spmm', 'weights', weights, graph);
  if (weights.rank === 1) return 1;
  const heads = weights.shape[1]!;
  if (heads === 0 || x.shape[1] % heads !== 0) {
    throw new RangeError(`graphOps.spmm: ${x.shape[1]} feature columns do not split into ${heads} heads`);
  }
  return heads;
}
