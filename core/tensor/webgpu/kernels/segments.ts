import type * as tf from '@tensorflow/tfjs';
import type { RowView } from '../graph-tensors';
import { runKernel } from '../program';
import { ROW_COLUMN_SLOTS } from './aggregate';

/**
 * Per-destination reductions over the edges entering each node: softmax, max and arg-max, one
 * invocation per (destination, column) walking the destination's edges. Each writes exactly the
 * elements it owns (every edge has one destination), so no atomics and a fixed order.
 */

/**
 * Softmax (or log-softmax) of scores [E, columns] over each destination's edges, per column: the
 * max is subtracted first so exp never overflows; log-softmax is s − (max + log Σ exp(s − max)),
 * finite where the softmax itself underflows.
 */
export function edgeSoftmaxKernel(offsets: tf.Tensor1D, scores: tf.Tensor, columns: number, log: boolean): tf.Tensor {
  const rows = offsets.size - 1;
  return runKernel({
    key: `edge_softmax_${log ? 'log' : 'plain'}`,
    inputs: { offsets, scores },
    outputShape: scores.shape.slice(),
    threads: rows * columns,
    uniforms: { columns },
    body: `${ROW_COLUMN_SLOTS}
  if (start == end) { return; }
  var top = scores[start * uniforms.columns + c];
  for (var s = start + 1; s < end; s = s + 1) { top = max(top, scores[s * uniforms.columns + c]); }
  var total = 0.0;
  for (var s = start; s < end; s = s + 1) { total = total + exp(scores[s * uniforms.columns + c] - top); }
  ${
    log
      ? `let shift = top + log(total);
  for (var s = start; s < end; s = s + 1) { let i = s * uniforms.columns + c; result[i] = scores[i] - shift; }`
      : `let scale = 1.0 / total;
  for (var s = start; s < end; s = s + 1) { let i = s * uniforms.columns + c; result[i] = exp(scores[i] - top) * scale; }`
  }`,
  });
}

/**
 * Backward of edgeSoftmax from its output y and upstream gradient g, per destination and column:
 * softmax ∂s = y · (g − Σ_in y·g); log-softmax ∂s = g − exp(y) · Σ_in g.
 */
export function edgeSoftmaxGradientKernel(offsets: tf.Tensor1D, output: tf.Tensor, gradient: tf.Tensor, columns: number, log: boolean): tf.Tensor {
  const rows = offsets.size - 1;
  return runKernel({
    key: `edge_softmax_grad_${log ? 'log' : 'plain'}`,
    inputs: { offsets, output, gradient },
    outputShape: output.shape.slice(),
    threads: rows * columns,
    uniforms: { columns },
    body: `${ROW_COLUMN_SLOTS}
  var total = 0.0;
  for (var s = start; s < end; s = s + 1) { let i = s * uniforms.columns + c; total = total + ${log ? 'gradient[i]' : 'output[i] * gradient[i]'}; }
  for (var s = start; s < end; s = s + 1) {
    let i = s * uniforms.columns + c;
    ${log ? 'result[i] = gradient[i] - exp(output[i]) * total;' : 'result[i] = output[i] * (gradient[i] - total);'}
  }`,
  });
}

/**
 * Column-wise max over each destination's slots of a table: out[v, c] = max table[row(slot), c],
 * where row is the slot's edge (segment max, table [E, C]) or its source (neighbour max, table
 * [N, C]); 0 for destinations without edges. With `argMax`, the output is instead the first slot
 * (by-destination edge id) holding the max, −1 where there is none: what the gradients route by.
 */
export function gatherMaxKernel(view: RowView, table: tf.Tensor, columns: number, bySource: boolean, argMax: boolean, outputShape: number[]): tf.Tensor {
  const rows = view.offsets.size - 1;
  const row = bySource ? 'neighbours[s]' : 's';
  return runKernel({
    key: `gather_max_${bySource ? 'sources' : 'edges'}_${argMax ? 'arg' : 'value'}`,
    inputs: { offsets: view.offsets, ...(bySource ? { neighbours: view.neighbours } : {}), table },
    outputShape,
    outputDtype: argMax ? 'int32' : 'float32',
    threads: rows * columns,
    uniforms: { columns },
    body: `${ROW_COLUMN_SLOTS}
  if (start == end) { result[index] = ${argMax ? '-1' : '0.0'}; return; }
  var s = start;
  var best = table[${row} * uniforms.columns + c];
  var bestSlot = start;
  for (s = start + 1; s < end; s = s + 1) {
    let value = table[${row} * uniforms.columns + c];
    if (value > best) { best = value; bestSlot = s; }
  }
  result[index] = ${argMax ? 'bestSlot' : 'best'};`,
  });
}

/** Backward of segment max: ∂values[e, c] = ∂out[v, c] where e is the arg-max edge of (v, c), else 0. */
export function segmentMaxGradientKernel(destinations: tf.Tensor1D, argEdge: tf.Tensor, gradient: tf.Tensor, columns: number, outputShape: number[]): tf.Tensor {
  return runKernel({
    key: 'segment_max_grad',
    inputs: { destinations, argEdge, gradient },
    outputShape,
    threads: destinations.size * columns,
    uniforms: { columns },
    body: `
  let e = index / uniforms.columns;
  let at = destinations[e] * uniforms.columns + index - e * uniforms.columns;
  result[index] = select(0.0, gradient[at], argEdge[at] == e);`,
  });
}

/** Backward of neighbour max, by source: ∂x[u, f] = Σ over u's out-edges e→t that are the arg-max of (t, f) of ∂out[t, f]. */
export function neighbourMaxGradientKernel(outEdges: RowView, argEdge: tf.Tensor, gradient: tf.Tensor2D): tf.Tensor2D {
  const [rows, features] = gradient.shape;
  return runKernel({
    key: 'neighbour_max_grad',
    inputs: { offsets: outEdges.offsets, neighbours: outEdges.neighbours, edgeIds: outEdges.edgeIds!, argEdge, gradient },
    outputShape: [rows, features],
    threads: rows * features,
    uniforms: { features },
    body: `
  let u = index / uniforms.features;
  let f = index - u * uniforms.features;
  var acc = 0.0;
  for (var s = offsets[u]; s < offsets[u + 1]; s = s + 1) {
    let at = neighbours[s] * uniforms.features + f;
    if (argEdge[at] == edgeIds[s]) { acc = acc + gradient[at]; }
  }
  result[index] = acc;`,
  }) as tf.Tensor2D;
}
