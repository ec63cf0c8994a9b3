import type * as tf from '@tensorflow/tfjs';
import type { EdgeDistanceKind } from '../../graph-ops';
import type { PairedEdges, RowView } from '../graph-tensors';
import { runKernel } from '../program';

/** The per-feature term of each distance kind, of a source value a and a destination value b. */
const TERM: Record<EdgeDistanceKind, string> = {
  dot: 'a * b',
  l1: 'abs(a - b)',
  sqeuclidean: '(a - b) * (a - b)',
};

/**
 * out[i] = Σ_f kind(x[u, f], y[v, f]) for edge e = u→v, one invocation per edge. With `lowerEdges`
 * it runs over those edges only (i indexes the list): one operand on a symmetric graph, where each
 * pair's value is computed once and spread by spreadPairs.
 */
export function edgeDistanceKernel(
  sources: tf.Tensor1D,
  destinations: tf.Tensor1D,
  x: tf.Tensor2D,
  y: tf.Tensor2D | null,
  kind: EdgeDistanceKind,
  lowerEdges: tf.Tensor1D | null,
): tf.Tensor1D {
  const features = x.shape[1];
  const count = lowerEdges ? lowerEdges.size : sources.size;
  const other = y ? 'y' : 'x';
  return runKernel({
    key: `edge_distance_${kind}_${y ? 'two' : 'one'}_${lowerEdges ? 'lower' : 'all'}`,
    inputs: { sources, destinations, x, ...(y ? { y } : {}), ...(lowerEdges ? { lowerEdges } : {}) },
    outputShape: [count],
    threads: count,
    uniforms: { features },
    body: `
  let e = ${lowerEdges ? 'lowerEdges[index]' : 'index'};
  let xRow = sources[e] * uniforms.features;
  let yRow = destinations[e] * uniforms.features;
  var acc = 0.0;
  for (var f = 0; f < uniforms.features; f = f + 1) {
    let a = x[xRow + f];
    let b = ${other}[yRow + f];
    acc = acc + ${TERM[kind]};
  }
  result[index] = acc;`,
  }) as tf.Tensor1D;
}

/** out[e] = pairValues[representative[e]]: every edge takes its pair's value. */
export function spreadPairs(pairs: PairedEdges, pairValues: tf.Tensor1D): tf.Tensor1D {
  const numEdges = pairs.representative.size;
  return runKernel({
    key: 'spread_pairs',
    inputs: { representative: pairs.representative, pairValues },
    outputShape: [numEdges],
    threads: numEdges,
    body: '  result[index] = pairValues[representative[index]];',
  }) as tf.Tensor1D;
}

/**
 * Gradient of Σ_e g[e]·kind(x[u], y[v]) wrt one operand, per row of a view: by source with
 * (own = x, other = y) it is ∂/∂x; by destination with (own = y, other = x) it is ∂/∂y. Every kind
 * is symmetric up to the sign of own − other: dot → g·other, l1 → g·sign(own − other) (0 at ties),
 * sqeuclidean → 2g·(own − other). With `reverse` (one operand, symmetric graph) each edge weighs
 * g[e] + g[reverse e], and one pass by destination gives the whole gradient.
 */
export function edgeDistanceGradientKernel(
  view: RowView,
  own: tf.Tensor2D,
  other: tf.Tensor2D | null,
  gradient: tf.Tensor1D,
  kind: EdgeDistanceKind,
  reverse: tf.Tensor1D | null,
): tf.Tensor2D {
  const [rows, features] = own.shape;
  const edge = view.edgeIds ? 'edgeIds[s]' : 's';
  const weight = reverse ? 'gradient[e] + gradient[reverse[e]]' : 'gradient[e]';
  const otherName = other ? 'other' : 'own';
  const term = { dot: 'g * o', l1: 'g * sign(t - o)', sqeuclidean: 'g * (t - o)' }[kind];
  return runKernel({
    key: `edge_distance_grad_${kind}_${view.edgeIds ? 'bysource' : 'bydest'}_${other ? 'two' : 'one'}_${reverse ? 'paired' : 'single'}`,
    inputs: {
      offsets: view.offsets,
      neighbours: view.neighbours,
      ...(view.edgeIds ? { edgeIds: view.edgeIds } : {}),
      own,
      ...(other ? { other } : {}),
      gradient,
      ...(reverse ? { reverse } : {}),
    },
    outputShape: [rows, features],
    threads: rows * features,
    uniforms: { features },
    body: `
  let r = index / uniforms.features;
  let t = own[index];
  let f = index - r * uniforms.features;
  var acc = 0.0;
  for (var s = offsets[r]; s < offsets[r + 1]; s = s + 1) {
    let e = ${edge};
    let g = ${weight};
    let o = ${otherName}[neighbours[s] * uniforms.features + f];
    acc = acc + ${term};
  }
  result[index] = ${kind === 'sqeuclidean' ? '2.0 * acc' : 'acc'};`,
  }) as tf.Tensor2D;
}
