import * as tf from '@tensorflow/tfjs';
import type { CsrGraph } from '../graph/csr';
import type { EdgeDistanceKind, GraphOps, SegmentOp } from './graph-ops';
import { checkEdgeRows, checkNodeRows, checkSameShape, checkSpmmWeights } from './graph-ops-checks';
import { withCustomGradient } from './custom-gradient';
import { installSegmentSumKernels } from './segment-sum-kernels';
import { degreeBuckets, edgeDestinations, inDegrees } from './graph-index';

/**
 * GraphOps written with stock tf ops only: gather the endpoint rows per edge, compute, then
 * unsortedSegmentSum into destinations. Gradients come from tf's own op gradients. It builds
 * edges × features intermediates, so it is the slow-but-obvious reference on WASM/CPU, and the
 * native implementation on the TensorFlow backends, whose gather/segment kernels are fast.
 *
 * tfjs has no segment max, so per-destination max runs over degree buckets: destinations padded to
 * a power-of-two width, gathered densely and arg-maxed (first arg-max, as the interface asks).
 */

// Gather's gradient and the segment sums below need linear-time UnsortedSegmentSum on cpu/wasm.
installSegmentSumKernels();

function sourceIds(graph: CsrGraph): tf.Tensor1D {
  return tf.tensor1d(graph.sources, 'int32');
}

function destinationIds(graph: CsrGraph): tf.Tensor1D {
  return tf.tensor1d(edgeDestinations(graph), 'int32');
}

/** Runs `compute` on `input` with the result cut off from the gradient tape (input gets a zero gradient). */
function withoutGradient<T extends tf.Tensor>(input: tf.Tensor, compute: (input: tf.Tensor) => T): T {
  return withCustomGradient<T>([input], ([x]) => ({ value: compute(x), gradients: () => [() => tf.zerosLike(x)] }));
}

/**
 * First arg-max edge id per (destination, column), numEdges for destinations without incoming
 * edges. Pure index computation: callers must keep it off the gradient tape.
 */
function argMaxEdgeIds(graph: CsrGraph, values: tf.Tensor2D): tf.Tensor2D {
  const numEdges = graph.sources.length;
  const columns = values.shape[1];
  return tf.tidy(() => {
    const padded = tf.concat([values, tf.fill([1, columns], -Infinity)]);
    const rowOfNode = new Int32Array(graph.numNodes);
    let row = 0;
    const pieces = degreeBuckets(graph).map((bucket) => {
      const count = bucket.nodes.length;
      bucket.nodes.forEach((node, k) => (rowOfNode[node] = row + k));
      row += count;
      const slots = tf.tensor1d(bucket.edgeIds, 'int32');
      const block = tf.gather(padded, slots).reshape([count, bucket.width, columns]);
      const position = tf.argMax(block, 1);
      const rowStart = tf.range(0, count * bucket.width, bucket.width, 'int32').reshape([count, 1]);
      return tf.gather(slots, position.add(rowStart)) as unknown as tf.Tensor2D;
    });
    // Nodes without incoming edges point at a sentinel row whose edge id is numEdges.
    for (let node = 0; node < graph.numNodes; node++) {
      if (graph.offsets[node + 1] === graph.offsets[node]) rowOfNode[node] = row;
    }
    pieces.push(tf.fill([1, columns], numEdges, 'int32'));
    return tf.gather(tf.concat(pieces), tf.tensor1d(rowOfNode, 'int32')) as tf.Tensor2D;
  });
}

/** Flat positions edgeId·F + f of the arg-max entries in the (numEdges + 1) × F padded values. */
function flatArgMaxIndex(edgeIds: tf.Tensor2D): tf.Tensor2D {
  const columns = edgeIds.shape[1];
  return edgeIds.mul(tf.scalar(columns, 'int32')).add(tf.range(0, columns, 1, 'int32'));
}

/** Entries of values at flat positions, where row numEdges (the sentinel) reads as 0. */
function valuesAt(values: tf.Tensor2D, flatIndex: tf.Tensor2D): tf.Tensor2D {
  const flat = tf.concat([values, tf.zeros([1, values.shape[1]])]).reshape([-1]);
  return tf.gather(flat, flatIndex) as tf.Tensor2D;
}

/**
 * out[v, f] = values[first arg-max edge into v for column f, f], 0 for nodes without incoming
 * edges; the gradient goes to that arg-max entry only. A customGrad because the arg-max indices
 * derive from the values and tf's gather would otherwise try to differentiate through them.
 */
function segmentMax(graph: CsrGraph, values: tf.Tensor2D): tf.Tensor2D {
  const numEdges = graph.sources.length;
  const columns = values.shape[1];
  return withCustomGradient<tf.Tensor2D>([values], ([v], save) => {
    const flatIndex = flatArgMaxIndex(argMaxEdgeIds(graph, v as tf.Tensor2D));
    save([flatIndex]);
    return {
      value: valuesAt(v as tf.Tensor2D, flatIndex),
      gradients: (dy, [savedIndex]) => [
        () => {
          const flatGradient = dy.reshape([-1]);
          const scattered = tf.unsortedSegmentSum(flatGradient, savedIndex.reshape([-1]) as tf.Tensor1D, (numEdges + 1) * columns);
          return scattered.slice(0, numEdges * columns).reshape([numEdges, columns]);
        },
      ],
    };
  });
}

/** Per-destination max without gradient, as the shift of a stable softmax (the shift cancels analytically). */
function destinationMax(graph: CsrGraph, scores: tf.Tensor2D): tf.Tensor2D {
  return withoutGradient(scores, (s) => segmentMax(graph, s as tf.Tensor2D));
}

function asColumns(t: tf.Tensor1D | tf.Tensor2D): tf.Tensor2D {
  return t.rank === 1 ? t.reshape([t.shape[0], 1]) : (t as tf.Tensor2D);
}

function edgeSoftmaxParts(graph: CsrGraph, scores: tf.Tensor2D): { shifted: tf.Tensor2D; denominator: tf.Tensor2D } {
  const dst = destinationIds(graph);
  const shifted = scores.sub(tf.gather(destinationMax(graph, scores), dst)) as tf.Tensor2D;
  const denominator = tf.gather(tf.unsortedSegmentSum(shifted.exp(), dst, graph.numNodes), dst) as tf.Tensor2D;
  return { shifted, denominator };
}

export const referenceGraphOps: GraphOps = {
  implementation: 'reference',

  spmm(graph, x, weights) {
    const heads = checkSpmmWeights(graph, x, weights);
    return tf.tidy(() => {
      const numEdges = graph.sources.length;
      const features = x.shape[1];
      let messages = tf.gather(x, sourceIds(graph)) as tf.Tensor2D;
      if (weights && weights.rank === 1) {
        messages = messages.mul(weights.reshape([numEdges, 1]));
      } else if (weights) {
        const perHead = messages.reshape([numEdges, heads, features / heads]);
        messages = perHead.mul(weights.reshape([numEdges, heads, 1])).reshape([numEdges, features]);
      }
      return tf.unsortedSegmentSum(messages, destinationIds(graph), graph.numNodes);
    });
  },

  edgeAdd(graph, src, dst) {
    checkNodeRows('edgeAdd', 'src', src, graph, 2);
    checkSameShape('edgeAdd', src, dst);
    return tf.tidy(() => tf.gather(src, sourceIds(graph)).add(tf.gather(dst, destinationIds(graph))));
  },

  edgeDistance(graph, x, y, kind: EdgeDistanceKind) {
    checkNodeRows('edgeDistance', 'x', x, graph, 2);
    checkSameShape('edgeDistance', x, y);
    return tf.tidy(() => {
      const a = tf.gather(x, sourceIds(graph));
      const b = tf.gather(y, destinationIds(graph));
      switch (kind) {
        case 'dot':
          return a.mul(b).sum(1);
        case 'l1':
          return a.sub(b).abs().sum(1);
        case 'sqeuclidean':
          return a.sub(b).square().sum(1);
        default:
          throw new RangeError(`graphOps.edgeDistance: unknown distance kind '${kind as string}'`);
      }
    });
  },

  edgeSoftmax(graph, scores) {
    checkEdgeRows('edgeSoftmax', 'scores', scores, graph);
    return tf.tidy(() => {
      const { shifted, denominator } = edgeSoftmaxParts(graph, asColumns(scores));
      return shifted.exp().div(denominator).reshape(scores.shape);
    }) as typeof scores;
  },

  edgeLogSoftmax(graph, scores) {
    checkEdgeRows('edgeLogSoftmax', 'scores', scores, graph);
    return tf.tidy(() => {
      const { shifted, denominator } = edgeSoftmaxParts(graph, asColumns(scores));
      return shifted.sub(denominator.log()).reshape(scores.shape);
    }) as typeof scores;
  },

  segmentReduce(graph, values, op: SegmentOp) {
    checkEdgeRows('segmentReduce', 'values', values, graph);
    return tf.tidy(() => {
      const columns = asColumns(values);
      let out: tf.Tensor2D;
      if (op === 'max') {
        out = segmentMax(graph, columns);
      } else {
        out = tf.unsortedSegmentSum(columns, destinationIds(graph), graph.numNodes);
        if (op === 'mean') {
          const degrees = tf.tensor1d(inDegrees(graph), 'int32').toFloat().maximum(1);
          out = out.div(degrees.reshape([graph.numNodes, 1]));
        } else if (op !== 'sum') {
          throw new RangeError(`graphOps.segmentReduce: unknown op '${op as string}'`);
        }
      }
      return values.rank === 1 ? out.reshape([graph.numNodes]) : out;
    }) as typeof values;
  },

  neighbourMax(graph, x) {
    checkNodeRows('neighbourMax', 'x', x, graph, 2);
    return tf.tidy(() => segmentMax(graph, tf.gather(x, sourceIds(graph)) as tf.Tensor2D));
  },
};

/** On the TensorFlow (tfjs-node) backends the stock ops are the native, fast path. */
export const nativeGraphOps: GraphOps = { ...referenceGraphOps, implementation: 'native' };
