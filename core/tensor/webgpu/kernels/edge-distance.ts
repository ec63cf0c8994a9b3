import type * as tf from '@tensorflow/tfjs';
import type { EdgeDistanceKind } from '../../graph-ops';
import type { PairedEdges, RowView } from '../graph-tensors';
import { runKernel } from '../program';
import { lanesFor, zeroOf } from './aggregate';

/** The term of each distance kind for a chunk of a source row a and of a destination row b (1 or 4 lanes). */
const TERM: Record<EdgeDistanceKind, Record<1 | 4, string>> = {
  dot: { 1: 'a * b', 4: 'dot(a, b)' },
  l1: { 1: 'abs(a - b)', 4: 'dot(abs(a - b), vec4<f32>(1.0))' },
  sqeuclidean: { 1: '(a - b) * (a - b)', 4: 'dot(a - b, a - b)' },
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
  const lanes = lanesFor(features);
  return runKernel({
    key: `edge_distance_${kind}_${y ? 'two' : 'one'}_${lowerEdges ? 'lower' : 'all'}`,
    inputs: { sources, destinations, x, ...(y ? { y } : {}), ...(lowerEdges ? { lowerEdges } : {}) },
    outputShape: [count],
    threads: count,
    uniforms: { chunks: features / lanes },
    vec4: lanes === 4 ? { inputs: y ? ['x', 'y'] : ['x'], output: false } : undefined,
    body: `
  let e = ${lowerEdges ? 'lowerEdges[index]' : 'index'};
  let xRow = sources[e] * uniforms.chunks;
  let yRow = destinations[e] * uniforms.chunks;
  var acc = 0.0;
  for (var q = 0; q < uniforms.chunks; q = q + 1) {
    let a = x[xRow + q];
    let b = ${other}[yRow + q];
    acc = acc + ${TERM[kind][lanes]};
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
  const lanes = lanesFor(features);
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
    threads: (rows * features) / lanes,
    uniforms: { chunks: features / lanes },
    vec4: lanes === 4 ? { inputs: other ? ['own', 'other'] : ['own'], output: true } : undefined,
    body: `
  let r = index / uniforms.chunks;
  let t = own[index];
  let q = index - r * uniforms.chunks;
  var acc = ${zeroOf(lanes)};
  for (var s = offsets[r]; s < offsets[r + 1]; s = s + 1) {
    let e = ${edge};
    let g = ${weight};
    let o = ${otherName}[neighbours[s] * uniforms.chunks + q];
    acc = acc + ${term};
  }
  result[index] = ${kind === 'sqeuclidean' ? '2.0 * acc' : 'acc'};`,
  }) as tf.Tensor2D;
}
