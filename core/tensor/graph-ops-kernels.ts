import * as tf from '@tensorflow/tfjs';
import type { CsrGraph } from '../graph/csr';
import { outgoingView, reverseEdges, type ReverseIndex } from '../graph/views';
import { lazy, withCustomGradient } from './custom-gradient';
import type { EdgeDistanceKind, GraphOps, SegmentOp } from './graph-ops';
import { checkEdgeRows, checkNodeRows, checkSameShape, checkSpmmWeights } from './graph-ops-checks';
import type { Adjacency } from './kernels/adjacency';
import { mirrorUpperEdges, pairedGradient } from './kernels/edge-distance';
import { gatherMaxGradient } from './kernels/segment-reduce';
import { runRows } from './parallel/kernel-threads';
import { buffersRecycled, float32Buffer, int32Buffer, shareable, shareableConstant } from './parallel/shared-buffers';

/**
 * GraphOps on the project's own typed-array kernels (core/tensor/kernels), for the WASM and CPU
 * backends where tf's gather/segment ops would materialise edges × features tensors. Each op is one
 * custom-gradient tape node: the forward reads its inputs with dataSync, runs a fused kernel and
 * wraps the result; the backward runs the matching gradient kernels on the arrays the forward kept,
 * only for the inputs being differentiated. Kernels run through runRows, on every kernel thread
 * when the work is large, so inputs, outputs and graph arrays are kept in shareable memory.
 */

function read(t: tf.Tensor): Float32Array {
  const data = t.dataSync();
  // The CPU backend hands out its own storage: kernels only read it, never write.
  return shareable(data instanceof Float32Array ? data : Float32Array.from(data as ArrayLike<number>));
}

/**
 * The array a result tensor is built from: a copy when the array is recycled after the step and the
 * backend would keep the array itself (WASM copies into its own heap; the CPU backend does not).
 */
function tensorData<T extends Float32Array | Int32Array>(values: T): T {
  return buffersRecycled() && tf.getBackend() !== 'wasm' ? (values.slice() as T) : values;
}

function byDestination(graph: CsrGraph): Adjacency {
  return { offsets: shareableConstant(graph.offsets), neighbours: shareableConstant(graph.sources), edgeIds: null };
}

function bySource(graph: CsrGraph): Adjacency {
  const view = outgoingView(graph);
  return { offsets: shareableConstant(view.offsets), neighbours: shareableConstant(view.targets), edgeIds: shareableConstant(view.edgeIds) };
}

function columnsOf(t: tf.Tensor): number {
  return t.rank === 1 ? 1 : t.shape[1]!;
}

function spmm(graph: CsrGraph, x: tf.Tensor2D, weights?: tf.Tensor1D | tf.Tensor2D): tf.Tensor2D {
  const heads = checkSpmmWeights(graph, x, weights);
  const [numNodes, features] = x.shape;
  const inputs = weights ? [x, weights] : [x];
  return withCustomGradient<tf.Tensor2D>(inputs, () => {
    const xData = read(x);
    const wData = weights ? read(weights) : null;
    const out = float32Buffer(numNodes * features);
    const work = graph.sources.length * features;
    const inEdges = byDestination(graph);
    runRows('aggregateRows', inEdges.offsets, work, [inEdges, xData, features, wData, heads, out]);
    return {
      value: tf.tensor2d(tensorData(out), [numNodes, features]),
      gradients: (dy) => {
        const dyData = lazy(() => read(dy));
        const dx = () => {
          const grad = float32Buffer(numNodes * features);
          const outEdges = bySource(graph);
          runRows('aggregateRows', outEdges.offsets, work, [outEdges, dyData(), features, wData, heads, grad]);
          return tf.tensor2d(tensorData(grad), [numNodes, features]);
        };
        const dw = () => {
          const grad = float32Buffer(weights!.size);
          runRows('edgeHeadDots', inEdges.offsets, work, [inEdges.offsets, inEdges.neighbours, dyData(), xData, features, heads, grad]);
          return tf.tensor(tensorData(grad), weights!.shape);
        };
        return weights ? [dx, dw] : [dx];
      },
    };
  });
}

function edgeAddOp(graph: CsrGraph, src: tf.Tensor2D, dst: tf.Tensor2D): tf.Tensor2D {
  checkNodeRows('edgeAdd', 'src', src, graph, 2);
  checkSameShape('edgeAdd', src, dst);
  const [numNodes, heads] = src.shape;
  const numEdges = graph.sources.length;
  return withCustomGradient<tf.Tensor2D>([src, dst], () => {
    const out = float32Buffer(numEdges * heads);
    const work = numEdges * heads;
    const { offsets, neighbours: sources } = byDestination(graph);
    runRows('edgeAdd', offsets, work, [offsets, sources, read(src), read(dst), heads, out]);
    return {
      value: tf.tensor2d(tensorData(out), [numEdges, heads]),
      gradients: (dy) => {
        const dyData = lazy(() => read(dy));
        const sumInto = (adjacency: Adjacency) => () => {
          const grad = float32Buffer(numNodes * heads);
          runRows('sumEdgesIntoRows', adjacency.offsets, work, [adjacency, dyData(), heads, grad]);
          return tf.tensor2d(tensorData(grad), [numNodes, heads]);
        };
        return [sumInto(bySource(graph)), sumInto(byDestination(graph))];
      },
    };
  });
}

function edgeDistanceOp(graph: CsrGraph, x: tf.Tensor2D, y: tf.Tensor2D, kind: EdgeDistanceKind): tf.Tensor1D {
  checkNodeRows('edgeDistance', 'x', x, graph, 2);
  checkSameShape('edgeDistance', x, y);
  if (kind !== 'dot' && kind !== 'l1' && kind !== 'sqeuclidean') {
    throw new RangeError(`graphOps.edgeDistance: unknown distance kind '${kind as string}'`);
  }
  const pairs = x === y ? reverseEdges(graph) : null;
  if (pairs) return selfDistanceOp(graph, pairs, x, kind);
  const [numNodes, features] = x.shape;
  const numEdges = graph.sources.length;
  return withCustomGradient<tf.Tensor1D>([x, y], () => {
    const xData = read(x);
    const yData = read(y);
    const out = float32Buffer(numEdges);
    const work = numEdges * features;
    const { offsets, neighbours: sources } = byDestination(graph);
    runRows('edgeDistance', offsets, work, [offsets, sources, xData, yData, features, kind, out, null]);
    return {
      value: tf.tensor1d(tensorData(out)),
      gradients: (dy) => {
        const g = lazy(() => read(dy));
        const gradientOf = (adjacency: Adjacency, own: Float32Array, other: Float32Array) => () => {
          const grad = float32Buffer(numNodes * features);
          runRows('edgeDistanceGradient', adjacency.offsets, work, [adjacency, own, other, g(), features, kind, grad]);
          return tf.tensor2d(tensorData(grad), [numNodes, features]);
        };
        return [gradientOf(bySource(graph), xData, yData), gradientOf(byDestination(graph), yData, xData)];
      },
    };
  });
}

/**
 * edgeDistance of one operand with itself on a symmetric graph: every kind is symmetric in its two
 * rows, so each pair {u→v, v→u} is computed once and mirrored, and the gradient wrt h is one pass
 * by destination with the pair's combined weight, ∂/∂h_v = Σ_{u→v} (g_uv + g_vu) ∂₂kind(h_u, h_v),
 * instead of one pass per operand.
 */
function selfDistanceOp(graph: CsrGraph, pairs: ReverseIndex, h: tf.Tensor2D, kind: EdgeDistanceKind): tf.Tensor1D {
  const [numNodes, features] = h.shape;
  const numEdges = graph.sources.length;
  return withCustomGradient<tf.Tensor1D>([h], () => {
    const hData = read(h);
    const out = float32Buffer(numEdges);
    const { offsets, neighbours: sources } = byDestination(graph);
    const lowerEnds = shareableConstant(pairs.lowerEnds);
    runRows('edgeDistance', offsets, numEdges * features / 2, [offsets, sources, hData, hData, features, kind, out, lowerEnds]);
    mirrorUpperEdges(graph.offsets, pairs.lowerEnds, pairs.reverse, out);
    return {
      value: tf.tensor1d(tensorData(out)),
      gradients: (dy) => [
        () => {
          const paired = float32Buffer(numEdges);
          pairedGradient(read(dy), pairs.reverse, paired);
          const grad = float32Buffer(numNodes * features);
          const inEdges = byDestination(graph);
          runRows('edgeDistanceGradient', inEdges.offsets, numEdges * features, [inEdges, hData, hData, paired, features, kind, grad]);
          return tf.tensor2d(tensorData(grad), [numNodes, features]);
        },
      ],
    };
  });
}

function softmaxOp<T extends tf.Tensor1D | tf.Tensor2D>(graph: CsrGraph, scores: T, log: boolean): T {
  checkEdgeRows(log ? 'edgeLogSoftmax' : 'edgeSoftmax', 'scores', scores, graph);
  const heads = columnsOf(scores);
  return withCustomGradient<T>([scores], () => {
    const out = float32Buffer(scores.size);
    const offsets = shareableConstant(graph.offsets);
    runRows('edgeSoftmax', offsets, scores.size, [offsets, read(scores), heads, log, out]);
    return {
      value: tf.tensor(tensorData(out), scores.shape) as T,
      gradients: (dy) => [
        () => {
          const ds = float32Buffer(scores.size);
          runRows('edgeSoftmaxGradient', offsets, scores.size, [offsets, out, read(dy), heads, log, ds]);
          return tf.tensor(tensorData(ds), scores.shape);
        },
      ],
    };
  });
}

function segmentReduceOp<T extends tf.Tensor1D | tf.Tensor2D>(graph: CsrGraph, values: T, op: SegmentOp): T {
  checkEdgeRows('segmentReduce', 'values', values, graph);
  if (op !== 'sum' && op !== 'mean' && op !== 'max') {
    throw new RangeError(`graphOps.segmentReduce: unknown op '${op as string}'`);
  }
  const columns = columnsOf(values);
  const outShape: number[] = values.rank === 1 ? [graph.numNodes] : [graph.numNodes, columns];
  return withCustomGradient<T>([values], () => {
    const out = float32Buffer(graph.numNodes * columns);
    const offsets = shareableConstant(graph.offsets);
    if (op === 'max') {
      const argEdge = int32Buffer(graph.numNodes * columns);
      runRows('gatherMax', offsets, values.size, [offsets, null, read(values), columns, out, argEdge]);
      return {
        value: tf.tensor(tensorData(out), outShape) as unknown as T,
        gradients: (dy) => [
          () => {
            const dv = new Float32Array(values.size);
            gatherMaxGradient(argEdge, read(dy), columns, dv);
            return tf.tensor(dv, values.shape);
          },
        ],
      };
    }
    const mean = op === 'mean';
    runRows('segmentSum', offsets, values.size, [offsets, read(values), columns, mean, out]);
    return {
      value: tf.tensor(tensorData(out), outShape) as unknown as T,
      gradients: (dy) => [
        () => {
          const dv = float32Buffer(values.size);
          runRows('segmentSumGradient', offsets, values.size, [offsets, read(dy), columns, mean, dv]);
          return tf.tensor(tensorData(dv), values.shape);
        },
      ],
    };
  });
}

function neighbourMaxOp(graph: CsrGraph, x: tf.Tensor2D): tf.Tensor2D {
  checkNodeRows('neighbourMax', 'x', x, graph, 2);
  const [numNodes, features] = x.shape;
  return withCustomGradient<tf.Tensor2D>([x], () => {
    const out = float32Buffer(numNodes * features);
    const argSource = int32Buffer(numNodes * features);
    const { offsets, neighbours: sources } = byDestination(graph);
    runRows('gatherMax', offsets, graph.sources.length * features, [offsets, sources, read(x), features, out, argSource]);
    return {
      value: tf.tensor2d(tensorData(out), [numNodes, features]),
      gradients: (dy) => [
        () => {
          const dx = new Float32Array(numNodes * features);
          gatherMaxGradient(argSource, read(dy), features, dx);
          return tf.tensor2d(dx, [numNodes, features]);
        },
      ],
    };
  });
}

export const kernelGraphOps: GraphOps = {
  implementation: 'kernels',
  spmm,
  edgeAdd: edgeAddOp,
  edgeDistance: edgeDistanceOp,
  edgeSoftmax: (graph, scores) => softmaxOp(graph, scores, false),
  edgeLogSoftmax: (graph, scores) => softmaxOp(graph, scores, true),
  segmentReduce: segmentReduceOp,
  neighbourMax: neighbourMaxOp,
};
