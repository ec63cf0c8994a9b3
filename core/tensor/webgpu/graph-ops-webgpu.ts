import type * as tf from '@tensorflow/tfjs';
import type { CsrGraph } from '../../graph/csr';
import { withCustomGradient } from '../custom-gradient';
import type { EdgeDistanceKind, GraphOps, SegmentOp } from '../graph-ops';
import { checkEdgeRows, checkNodeRows, checkSameShape, checkSpmmWeights } from '../graph-ops-checks';
import { byDestination, bySource, destinationsOf, edgeSources, pairedEdges, type PairedEdges } from './graph-tensors';
import { aggregateRows, edgeAddKernel, edgeHeadDots, spreadRowsToEdges, sumEdgesIntoRows } from './kernels/aggregate';
import { edgeDistanceGradientKernel, edgeDistanceKernel, spreadPairs } from './kernels/edge-distance';
import {
  edgeSoftmaxGradientKernel,
  edgeSoftmaxKernel,
  gatherMaxKernel,
  neighbourMaxGradientKernel,
  segmentMaxGradientKernel,
} from './kernels/segments';

/**
 * GraphOps as WGSL compute kernels on tfjs's WebGPU backend (kernels/). Each op is one
 * custom-gradient tape node whose forward and backward are our kernels; inputs the backward needs
 * are saved through the tape (so a caller's tidy cannot free them first), and the gradient of an
 * input nobody differentiates is never computed. Nothing is read back to the CPU: values stay on
 * the device from the features to the loss.
 */

function columnsOf(t: tf.Tensor): number {
  return t.rank === 1 ? 1 : t.shape[1]!;
}

function spmm(graph: CsrGraph, x: tf.Tensor2D, weights?: tf.Tensor1D | tf.Tensor2D): tf.Tensor2D {
  const heads = checkSpmmWeights(graph, x, weights);
  const inputs = weights ? [x, weights] : [x];
  return withCustomGradient<tf.Tensor2D>(inputs, (_, save) => {
    save(inputs);
    return {
      value: aggregateRows(byDestination(graph), x, weights ?? null, heads),
      gradients: (dy, [savedX, savedWeights]) => {
        const dx = () => aggregateRows(bySource(graph), dy, savedWeights ?? null, heads);
        const dw = () => edgeHeadDots(edgeSources(graph), destinationsOf(graph), dy, savedX as tf.Tensor2D, heads, savedWeights.shape);
        return weights ? [dx, dw] : [dx];
      },
    };
  });
}

function edgeAdd(graph: CsrGraph, src: tf.Tensor2D, dst: tf.Tensor2D): tf.Tensor2D {
  checkNodeRows('edgeAdd', 'src', src, graph, 2);
  checkSameShape('edgeAdd', src, dst);
  const heads = src.shape[1];
  return withCustomGradient<tf.Tensor2D>([src, dst], () => ({
    value: edgeAddKernel(edgeSources(graph), destinationsOf(graph), src, dst),
    gradients: (dy) => [
      () => sumEdgesIntoRows(bySource(graph), dy, heads, false, src.shape),
      () => sumEdgesIntoRows(byDestination(graph), dy, heads, false, dst.shape),
    ],
  }));
}

function edgeDistance(graph: CsrGraph, x: tf.Tensor2D, y: tf.Tensor2D, kind: EdgeDistanceKind): tf.Tensor1D {
  checkNodeRows('edgeDistance', 'x', x, graph, 2);
  checkSameShape('edgeDistance', x, y);
  if (kind !== 'dot' && kind !== 'l1' && kind !== 'sqeuclidean') {
    throw new RangeError(`graphOps.edgeDistance: unknown distance kind '${kind as string}'`);
  }
  const pairs = x === y ? pairedEdges(graph) : null;
  if (pairs) return selfDistance(graph, pairs, x, kind);
  return withCustomGradient<tf.Tensor1D>([x, y], (_, save) => {
    save([x, y]);
    return {
      value: edgeDistanceKernel(edgeSources(graph), destinationsOf(graph), x, y, kind, null),
      gradients: (g, [savedX, savedY]) => [
        () => edgeDistanceGradientKernel(bySource(graph), savedX as tf.Tensor2D, savedY as tf.Tensor2D, g, kind, null),
        () => edgeDistanceGradientKernel(byDestination(graph), savedY as tf.Tensor2D, savedX as tf.Tensor2D, g, kind, null),
      ],
    };
  });
}

/**
 * edgeDistance of one operand with itself on a symmetric graph (every local-structure kernel): each
 * kind is symmetric in its two rows, so each edge pair {u→v, v→u} is computed once and spread, and
 * the gradient is one pass by destination with the pair's combined weight g_uv + g_vu.
 */
function selfDistance(graph: CsrGraph, pairs: PairedEdges, h: tf.Tensor2D, kind: EdgeDistanceKind): tf.Tensor1D {
  return withCustomGradient<tf.Tensor1D>([h], (_, save) => {
    save([h]);
    const pairValues = edgeDistanceKernel(edgeSources(graph), destinationsOf(graph), h, null, kind, pairs.lowerEdges);
    const value = spreadPairs(pairs, pairValues);
    pairValues.dispose();
    return {
      value,
      gradients: (g, [savedH]) => [() => edgeDistanceGradientKernel(byDestination(graph), savedH as tf.Tensor2D, null, g, kind, pairs.reverse)],
    };
  });
}

function softmax<T extends tf.Tensor1D | tf.Tensor2D>(graph: CsrGraph, scores: T, log: boolean): T {
  checkEdgeRows(log ? 'edgeLogSoftmax' : 'edgeSoftmax', 'scores', scores, graph);
  const columns = columnsOf(scores);
  const offsets = byDestination(graph).offsets;
  return withCustomGradient<T>([scores], (_, save) => {
    const value = edgeSoftmaxKernel(offsets, scores, columns, log) as T;
    save([value]);
    return {
      value,
      gradients: (dy, [output]) => [() => edgeSoftmaxGradientKernel(offsets, output, dy, columns, log)],
    };
  });
}

function segmentReduce<T extends tf.Tensor1D | tf.Tensor2D>(graph: CsrGraph, values: T, op: SegmentOp): T {
  checkEdgeRows('segmentReduce', 'values', values, graph);
  if (op !== 'sum' && op !== 'mean' && op !== 'max') {
    throw new RangeError(`graphOps.segmentReduce: unknown op '${op as string}'`);
  }
  const columns = columnsOf(values);
  const outShape = values.rank === 1 ? [graph.numNodes] : [graph.numNodes, columns];
  const inEdges = byDestination(graph);
  if (op === 'max') {
    return withCustomGradient<T>([values], (_, save) => {
      save([values]);
      return {
        value: gatherMaxKernel(inEdges, values, columns, false, false, outShape) as T,
        gradients: (dy, [saved]) => [
          () => {
            const argEdge = gatherMaxKernel(inEdges, saved, columns, false, true, outShape);
            const grad = segmentMaxGradientKernel(destinationsOf(graph), argEdge, dy, columns, values.shape);
            argEdge.dispose();
            return grad;
          },
        ],
      };
    });
  }
  const mean = op === 'mean';
  return withCustomGradient<T>([values], () => ({
    value: sumEdgesIntoRows(inEdges, values, columns, mean, outShape) as T,
    gradients: (dy) => [() => spreadRowsToEdges(inEdges.offsets, destinationsOf(graph), dy, columns, mean, values.shape)],
  }));
}

function neighbourMax(graph: CsrGraph, x: tf.Tensor2D): tf.Tensor2D {
  checkNodeRows('neighbourMax', 'x', x, graph, 2);
  const features = x.shape[1];
  const inEdges = byDestination(graph);
  return withCustomGradient<tf.Tensor2D>([x], (_, save) => {
    save([x]);
    return {
      value: gatherMaxKernel(inEdges, x, features, true, false, x.shape) as tf.Tensor2D,
      gradients: (dy, [saved]) => [
        () => {
          const argEdge = gatherMaxKernel(inEdges, saved, features, true, true, x.shape);
          const grad = neighbourMaxGradientKernel(bySource(graph), argEdge, dy);
          argEdge.dispose();
          return grad;
        },
      ],
    };
  });
}

export const webgpuGraphOps: GraphOps = {
  implementation: 'webgpu',
  spmm,
  edgeAdd,
  edgeDistance,
  edgeSoftmax: (graph, scores) => softmax(graph, scores, false),
  edgeLogSoftmax: (graph, scores) => softmax(graph, scores, true),
  segmentReduce,
  neighbourMax,
};
