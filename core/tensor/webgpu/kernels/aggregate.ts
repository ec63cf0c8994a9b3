import type * as tf from '@tensorflow/tfjs';
import { runKernel } from '../program';
import type { RowView } from '../graph-tensors';

/**
 * Row gathers: one invocation per output element reads its row's slots in order and writes the
 * element once. No atomics and a fixed summation order, so results are deterministic; the
 * transposed view (by source) serves the backward passes instead of a scatter.
 */

/**
 * 4 when rows of `features` columns can be read as vec4 (4 floats a load) without a chunk straddling
 * two heads of `width` columns, else 1. Kernels loop over row chunks of this many lanes.
 */
export function lanesFor(features: number, width = features): 1 | 4 {
  return features % 4 === 0 && width % 4 === 0 ? 4 : 1;
}

/** WGSL zero of a chunk of `lanes` floats. */
export function zeroOf(lanes: 1 | 4): string {
  return lanes === 4 ? 'vec4<f32>(0.0)' : '0.0';
}

/**
 * WGSL opening of a kernel with one invocation per (row, column) of a view's rows × uniforms.columns:
 * the row r, the column c and the row's slots [start, end) in `offsets`.
 */
export const ROW_COLUMN_SLOTS = `
  let r = index / uniforms.columns;
  let c = index - r * uniforms.columns;
  let start = offsets[r];
  let end = offsets[r + 1];`;

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
  const lanes = lanesFor(features, features / heads);
  const mode = weights === null ? 'none' : weights.rank === 1 ? 'edge' : 'head';
  const weight = { none: '1.0', edge: 'weights[e]', head: `weights[e * uniforms.heads + q * ${lanes} / uniforms.width]` }[mode];
  return runKernel({
    key: `aggregate_${mode}_${view.edgeIds ? 'bysource' : 'bydest'}`,
    inputs: { ...viewInputs(view), x, ...(weights ? { weights } : {}) },
    outputShape: [rows, features],
    threads: (rows * features) / lanes,
    uniforms: { chunks: features / lanes, heads, width: features / heads },
    vec4: lanes === 4 ? { inputs: ['x'], output: true } : undefined,
    body: `
  let r = index / uniforms.chunks;
  let q = index - r * uniforms.chunks;
  var acc = ${zeroOf(lanes)};
  for (var s = offsets[r]; s < offsets[r + 1]; s = s + 1) {
    let e = ${edgeOfSlot(view)};
    acc = acc + ${weight} * x[neighbours[s] * uniforms.chunks + q];
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
  const lanes = lanesFor(features, features / heads);
  return runKernel({
    key: 'edge_head_dots',
    inputs: { sources, destinations, a: rowsByDestination, b: rowsBySource },
    outputShape,
    threads: numEdges * heads,
    uniforms: { chunks: features / lanes, heads, width: features / heads / lanes },
    vec4: lanes === 4 ? { inputs: ['a', 'b'], output: false } : undefined,
    body: `
  let e = index / uniforms.heads;
  let start = (index - e * uniforms.heads) * uniforms.width;
  let aRow = destinations[e] * uniforms.chunks + start;
  let bRow = sources[e] * uniforms.chunks + start;
  var acc = 0.0;
  for (var d = 0; d < uniforms.width; d = d + 1) {
    acc = acc + ${lanes === 4 ? 'dot(a[aRow + d], b[bRow + d])' : 'a[aRow + d] * b[bRow + d]'};
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
    body: `${ROW_COLUMN_SLOTS}
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
