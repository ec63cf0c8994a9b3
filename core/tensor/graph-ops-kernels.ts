import * as tf from '@tensorflow/tfjs';
import type { CsrGraph } from '../graph/csr';
import { outgoingView, reverseEdges, type ReverseIndex } from '../graph/views';
import { lazy, withCustomGradient } from './custom-gradient';
import type { EdgeDistanceKind, GraphOps, SegmentOp } from './graph-ops';
import { checkEdgeRows, checkNodeRows, checkSameShape, checkSpmmWeights } from './graph-ops-checks';
import type { Adjacency } from './kernels/adjacency';
import { mirrorUpperEdges, pairedGradient } from './kernels/edge-pairs';
import { gatherMaxGradient } from './kernels/segment-reduce';
import { onMulticore, storageOf } from './multicore/backend';
import { pooledFloat32 } from './multicore/pool';
import { runRows } from './parallel/kernel-threads';
import { buffersRecycled, float32Buffer, int32Buffer, shareable, shareableConstant } from './parallel/shared-buffers';
import * as simd from './wasm/calls';

/**
 * GraphOps on the project's own kernels, for the multicore, WASM and CPU backends where tf's
 * gather/segment ops would materialise edges × features tensors. Each op is one custom-gradient
 * tape node: the forward reads its inputs, runs a fused kernel and wraps the result; the backward
 * runs the matching gradient kernels, only for the inputs being differentiated, on the tensors the
 * forward saved (never on arrays kept from the forward: on the multicore backend an array is the
 * tensor's own storage, recycled once the tensor is disposed). The feature-wide kernels (SpMM,
 * distances) are SIMD kernels (core/tensor/wasm); the per-edge ones are typed-array kernels
 * (core/tensor/kernels). Both run through the kernel threads when the work is large.
 */

/** The values of `t` for a kernel to read during this op (in place on the multicore backend). */
function values(t: tf.Tensor): Float32Array {
  const data = storageOf(t);
  return data instanceof Float32Array ? data : Float32Array.from(data as ArrayLike<number>);
}

/** values(t) in memory the JS kernel threads can read. */
function read(t: tf.Tensor): Float32Array {
  return shareable(values(t));
}

/** Storage for an op's output (written in full by its kernel): pooled tensor storage on the multicore backend. */
function outputArray(length: number): Float32Array {
  return onMulticore() ? pooledFloat32(length) : float32Buffer(length);
}

/**
 * The tensor of an op's output array: the array itself on the multicore backend (which recycles it
 * with the tensor); elsewhere a copy when the array is recycled after the step and the backend would
 * keep the array itself (WASM copies into its own heap; the CPU backend does not).
 */
function toTensor<T extends tf.Tensor>(data: Float32Array, shape: number[]): T {
  const copy = !onMulticore() && buffersRecycled() && tf.getBackend() !== 'wasm';
  return tf.tensor(copy ? data.slice() : data, shape) as T;
}

function byDestination(graph: CsrGraph): Adjacency {
  return { offsets: graph.offsets, neighbours: graph.sources, edgeIds: null };
}

function bySource(graph: CsrGraph): Adjacency {
  const view = outgoingView(graph);
  return { offsets: view.offsets, neighbours: view.targets, edgeIds: view.edgeIds };
}

/** The view for the JS kernel threads: its arrays in shared memory. */
function shared(adjacency: Adjacency): Adjacency {
  const { offsets, neighbours, edgeIds } = adjacency;
  return { offsets: shareableConstant(offsets), neighbours: shareableConstant(neighbours), edgeIds: edgeIds && shareableConstant(edgeIds) };
}

function columnsOf(t: tf.Tensor): number {
  return t.rank === 1 ? 1 : t.shape[1]!;
}

function spmm(graph: CsrGraph, x: tf.Tensor2D, weights?: tf.Tensor1D | tf.Tensor2D): tf.Tensor2D {
  const heads = checkSpmmWeights(graph, x, weights);
  const [numNodes, features] = x.shape;
  const inputs = weights ? [x, weights] : [x];
  return withCustomGradient<tf.Tensor2D>(inputs, (_, save) => {
    save(inputs);
    const out = outputArray(numNodes * features);
    simd.aggregateRows(byDestination(graph), values(x), features, weights ? values(weights) : null, heads, out);
    return {
      value: toTensor(out, [numNodes, features]),
      gradients: (dy, [savedX, savedWeights]) => {
        const dyData = lazy(() => values(dy));
        const dx = () => {
          const grad = outputArray(numNodes * features);
          simd.aggregateRows(bySource(graph), dyData(), features, savedWeights ? values(savedWeights) : null, heads, grad);
          return toTensor(grad, [numNodes, features]);
        };
        const dw = () => {
          const grad = outputArray(savedWeights.size);
          simd.edgeHeadDots(graph.offsets, graph.sources, dyData(), values(savedX), features, heads, grad);
          return toTensor(grad, savedWeights.shape);
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
    const out = outputArray(numEdges * heads);
    const work = numEdges * heads;
    const { offsets, neighbours: sources } = shared(byDestination(graph));
    runRows('edgeAdd', offsets, work, [offsets, sources, read(src), read(dst), heads, out]);
    return {
      value: toTensor(out, [numEdges, heads]),
      gradients: (dy) => {
        const dyData = lazy(() => read(dy));
        const sumInto = (adjacency: Adjacency) => () => {
          const view = shared(adjacency);
          const grad = outputArray(numNodes * heads);
          runRows('sumEdgesIntoRows', view.offsets, work, [view, dyData(), heads, grad]);
          return toTensor(grad, [numNodes, heads]);
        };
        return [sumInto(bySource(graph)), sumInto(byDestination(graph))];
      },
    };
  });
}

function edgeAttentionOp(graph: CsrGraph, src: tf.Tensor2D, dst: tf.Tensor2D, slope: number): tf.Tensor2D {
  checkNodeRows('edgeAttention', 'src', src, graph, 2);
  checkSameShape('edgeAttention', src, dst);
  const [numNodes, heads] = src.shape;
  const numEdges = graph.sources.length;
  return withCustomGradient<tf.Tensor2D>([src, dst], (_, save) => {
    const out = outputArray(numEdges * heads);
    const work = numEdges * heads;
    const { offsets, neighbours: sources } = shared(byDestination(graph));
    runRows('edgeAttention', offsets, work, [offsets, sources, read(src), read(dst), heads, slope, out]);
    const value = toTensor<tf.Tensor2D>(out, [numEdges, heads]);
    save([src, dst, value]);
    return {
      value,
      gradients: (dy, [savedSrc, savedDst, attention]) => {
        // one pass by destination gives ∂pre per edge and ∂dst; ∂src sums ∂pre over each source's edges
        const parts = lazy(() => {
          const edgeGradient = float32Buffer(numEdges * heads);
          const dstGradient = outputArray(numNodes * heads);
          runRows('edgeAttentionGradient', offsets, work, [offsets, sources, read(savedSrc), read(savedDst), read(attention), read(dy), heads, slope, edgeGradient, dstGradient]);
          return { edgeGradient, dstGradient };
        });
        const dSrc = () => {
          const view = shared(bySource(graph));
          const grad = outputArray(numNodes * heads);
          runRows('sumEdgesIntoRows', view.offsets, work, [view, parts().edgeGradient, heads, grad]);
          return toTensor(grad, [numNodes, heads]);
        };
        return [dSrc, () => toTensor(parts().dstGradient, [numNodes, heads])];
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
  return withCustomGradient<tf.Tensor1D>([x, y], (_, save) => {
    save([x, y]);
    const out = outputArray(numEdges);
    simd.edgeDistance(graph.offsets, graph.sources, values(x), values(y), features, kind, out, null);
    return {
      value: toTensor(out, [numEdges]),
      gradients: (dy, [savedX, savedY]) => {
        const g = lazy(() => values(dy));
        const gradientOf = (adjacency: Adjacency, own: tf.Tensor, other: tf.Tensor) => () => {
          const grad = outputArray(numNodes * features);
          simd.edgeDistanceGradient(adjacency, values(own), values(other), g(), features, kind, grad);
          return toTensor(grad, [numNodes, features]);
        };
        return [gradientOf(bySource(graph), savedX, savedY), gradientOf(byDestination(graph), savedY, savedX)];
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
  return withCustomGradient<tf.Tensor1D>([h], (_, save) => {
    save([h]);
    const out = outputArray(numEdges);
    simd.edgeDistance(graph.offsets, graph.sources, values(h), values(h), features, kind, out, pairs.lowerEnds);
    mirrorUpperEdges(graph.offsets, pairs.lowerEnds, pairs.reverse, out);
    return {
      value: toTensor(out, [numEdges]),
      gradients: (dy, [savedH]) => [
        () => {
          const paired = float32Buffer(numEdges);
          pairedGradient(values(dy), pairs.reverse, paired);
          const grad = outputArray(numNodes * features);
          const hData = values(savedH);
          simd.edgeDistanceGradient(byDestination(graph), hData, hData, paired, features, kind, grad);
          return toTensor(grad, [numNodes, features]);
        },
      ],
    };
  });
}

function softmaxOp<T extends tf.Tensor1D | tf.Tensor2D>(graph: CsrGraph, scores: T, log: boolean): T {
  checkEdgeRows(log ? 'edgeLogSoftmax' : 'edgeSoftmax', 'scores', scores, graph);
  const heads = columnsOf(scores);
  return withCustomGradient<T>([scores], (_, save) => {
    const out = outputArray(scores.size);
    const offsets = shareableConstant(graph.offsets);
    runRows('edgeSoftmax', offsets, scores.size, [offsets, read(scores), heads, log, out]);
    const value = toTensor(out, scores.shape) as T;
    save([value]);
    return {
      value,
      gradients: (dy, [output]) => [
        () => {
          const ds = outputArray(scores.size);
          runRows('edgeSoftmaxGradient', offsets, scores.size, [offsets, read(output), read(dy), heads, log, ds]);
          return toTensor(ds, scores.shape);
        },
      ],
    };
  });
}

function segmentReduceOp<T extends tf.Tensor1D | tf.Tensor2D>(graph: CsrGraph, input: T, op: SegmentOp): T {
  checkEdgeRows('segmentReduce', 'values', input, graph);
  if (op !== 'sum' && op !== 'mean' && op !== 'max') {
    throw new RangeError(`graphOps.segmentReduce: unknown op '${op as string}'`);
  }
  const columns = columnsOf(input);
  const outShape: number[] = input.rank === 1 ? [graph.numNodes] : [graph.numNodes, columns];
  return withCustomGradient<T>([input], () => {
    const out = outputArray(graph.numNodes * columns);
    const offsets = shareableConstant(graph.offsets);
    if (op === 'max') {
      const argEdge = int32Buffer(graph.numNodes * columns);
      runRows('gatherMax', offsets, input.size, [offsets, null, read(input), columns, out, argEdge]);
      return {
        value: toTensor(out, outShape) as unknown as T,
        gradients: (dy) => [
          () => {
            const dv = new Float32Array(input.size);
            gatherMaxGradient(argEdge, values(dy), columns, dv);
            return tf.tensor(dv, input.shape);
          },
        ],
      };
    }
    const mean = op === 'mean';
    runRows('segmentSum', offsets, input.size, [offsets, read(input), columns, mean, out]);
    return {
      value: toTensor(out, outShape) as unknown as T,
      gradients: (dy) => [
        () => {
          const dv = outputArray(input.size);
          runRows('segmentSumGradient', offsets, input.size, [offsets, read(dy), columns, mean, dv]);
          return toTensor(dv, input.shape);
        },
      ],
    };
  });
}

function neighbourMaxOp(graph: CsrGraph, x: tf.Tensor2D): tf.Tensor2D {
  checkNodeRows('neighbourMax', 'x', x, graph, 2);
  const [numNodes, features] = x.shape;
  return withCustomGradient<tf.Tensor2D>([x], () => {
    const out = outputArray(numNodes * features);
    const argSource = int32Buffer(numNodes * features);
    const { offsets, neighbours: sources } = shared(byDestination(graph));
    runRows('gatherMax', offsets, graph.sources.length * features, [offsets, sources, read(x), features, out, argSource]);
    return {
      value: toTensor(out, [numNodes, features]),
      gradients: (dy) => [
        () => {
          const dx = new Float32Array(numNodes * features);
          gatherMaxGradient(argSource, values(dy), features, dx);
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
  edgeAttention: edgeAttentionOp,
};
