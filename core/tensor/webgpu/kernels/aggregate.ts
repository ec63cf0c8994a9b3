import type * as tf from '@tensorflow/tfjs';
import { runKernel } from '../program';
import type { RowView } from '../graph-tensors';

/**
 * Row gathers: one invocation per output element reads its row's slots in order and writes the
 * element once. No atomics and a fixed summation order, so results are deterministic; the
 * transposed view (by source) serves the backward passes instead of a scatter.
 */

/** The WGSL expression of the by-destination edge id of slot `s` in a view. */
function edgeOfSlot(view: RowView): string {
  return view.edgeIds ? 'edgeIds[s]' : 's';
}

function viewInputs(view: RowView): Record<string, tf.Tensor> {
  return view.edgeIds ? { offsets: view.offsets, neighbours: view.neighbours, edgeIds: view.edgeIds } : { offsets: view.offsets, neighbours: view.neighbours };
}

/**
 * out[r, f] = Σ_slots w(edge, head of f) · x[neighbour, f]: SpMM by destination, its gradient wrt x
 * by source. weights: null (ones), [E] or [E, heads] (head h scales columns h·F/heads ..).
 */
export function aggregateRows(view: RowView, x: tf.Tensor2D, weights: tf.Tensor | null, heads: number): tf.Tensor2D {
  const [, features] = x.shape;
  const rows = view.offsets.size - 1;
  const mode = weights === null ? 'none' : weights.rank === 1 ? 'edge' : 'head';
  const weight = { none: '1.0', edge: 'weights[e]', head: 'weights[e * uniforms.heads + f / uniforms.width]' }[mode];
  return runKernel({
    key: `aggregate_${mode}_${view.edgeIds ? 'bysource' : 'bydest'}`,
    inputs: { ...viewInputs(view), x, ...(weights ? { weights } : {}) },
    outputShape: [rows, features],
    threads: rows * features,
    uniforms: { features, heads, width: features / heads },
    body: `
  let r = index / uniforms.features;
  let f = index - r * uniforms.features;
  var acc = 0.0;
  for (var s = offsets[r]; s < offsets[r + 1]; s = s + 1) {
    let e = ${edgeOfSlot(view)};
    acc = acc + ${weight} * x[neighbours[s] * uniforms.features + f];
  }
  result[index] = acc;`,
  }) as tf.Tensor2D;
}

/**
 * out[e, h] = Σ_{d in head h} rowsByDestination[v, d] · rowsBySource[u, d] for e = u→v (g-SDDMM):
 * the gradient of SpMM wrt its weights. Shaped like the weights: [E] or [E, heads].
 */
export function edgeHeadDots(
  sources: tf.Tensor1D,
  destinations: tf.Tensor1D,
  rowsByDestination: tf.Tensor2D,
  rowsBySource: tf.Tensor2D,
  heads: number,
  outputShape: number[],
): tf.Tensor {
  const features = rowsBySource.shape[1];
  const numEdges = sources.size;
  return runKernel({
    key: 'edge_head_dots',
    inputs: { sources, destinations, a: rowsByDestination, b: rowsBySource },
    outputShape,
    threads: numEdges * heads,
    uniforms: { features, heads, width: features / heads },
    body: `
  let e = index / uniforms.heads;
  let start = (index - e * uniforms.heads) * uniforms.width;
  let aRow = destinations[e] * uniforms.features + start;
  let bRow = sources[e] * uniforms.features + start;
  var acc = 0.0;
  for (var d = 0; d < uniforms.width; d = d + 1) {
    acc = acc + a[aRow + d] * b[bRow + d];
  }
  result[index] = acc;`,
  });
}

/**
 * out[r, c] = Σ_slots values[edge, c], ÷ the slot count when `mean` (0 for rows without slots):
 * segment sum/mean by destination, the gradient of a source gather by source. values: [E, columns].
 */
export function sumEdgesIntoRows(view: RowView, values: tf.Tensor, columns: number, mean: boolean, outputShape: number[]): tf.Tensor {
  const rows = view.offsets.size - 1;
  return runKernel({
    key: `sum_edges_${mean ? 'mean' : 'sum'}_${view.edgeIds ? 'bysource' : 'bydest'}`,
    inputs: { offsets: view.offsets, ...(view.edgeIds ? { edgeIds: view.edgeIds } : {}), values },
    outputShape,
    threads: rows * columns,
    uniforms: { columns },
    body: `
  let r = index / uniforms.columns;
  let c = index - r * uniforms.columns;
  let start = offsets[r];
  let end = offsets[r + 1];
  var acc = 0.0;
  for (var s = start; s < end; s = s + 1) {
    acc = acc + values[${edgeOfSlot(view)} * uniforms.columns + c];
  }
  ${mean ? 'if (end > start) { acc = acc / f32(end - start); }' : ''}
  result[index] = acc;`,
  });
}

/** Backward of segment sum/mean: every edge into v receives ∂out[v] (÷ in-degree when `mean`). */
export function spreadRowsToEdges(offsets: tf.Tensor1D, destinations: tf.Tensor1D, gradient: tf.Tensor, columns: number, mean: boolean, outputShape: number[]): tf.Tensor {
  return runKernel({
    key: `spread_rows_${mean ? 'mean' : 'sum'}`,
    inputs: { ...(mean ? { offsets } : {}), destinations, gradient },
    outputShape,
    threads: destinations.size * columns,
    uniforms: { columns },
    body: `
  let e = index / uniforms.columns;
  let v = destinations[e];
  let value = gradient[v * uniforms.columns + index - e * uniforms.columns];
  ${mean ? 'result[index] = value / f32(offsets[v + 1] - offsets[v]);' : 'result[index] = value;'}`,
  });
}

/** out[e, h] = src[u, h] + dst[v, h] for e = u→v (GAT's attention logits). */
export function edgeAddKernel(sources: tf.Tensor1D, destinations: tf.Tensor1D, src: tf.Tensor2D, dst: tf.Tensor2D): tf.Tensor2D {
  const heads = src.shape[1];
  return runKernel({
    key: 'edge_add',
    inputs: { sources, destinations, src, dst },
    outputShape: [sources.size, heads],
    threads: sources.size * heads,
    uniforms: { heads },
    body: `
  let e = index / uniforms.heads;
  let h = index - e * uniforms.heads;
  result[index] = src[sources[e] * uniforms.heads + h] + dst[destinations[e] * uniforms.heads + h];`,
  }) as tf.Tensor2D;
}
