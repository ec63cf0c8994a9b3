import * as tf from '@tensorflow/tfjs';
import type { CsrGraph } from '../../graph/csr';
import { outgoingView, reverseEdges } from '../../graph/views';
import { edgeDestinations } from '../graph-index';

/**
 * A graph's index arrays as int32 tensors on the device, uploaded on first use and shared by every
 * layer, step and epoch (graphs are immutable). Looked up through a WeakMap so the cache never
 * keeps a graph alive; a FinalizationRegistry frees the tensors of graphs that were collected
 * (inductive training builds batch graphs as it goes).
 */

/** Rows of a kernel's view: by destination (forward passes) or by source (scatter-free backward passes). */
export interface RowView {
  /** [rows + 1] */
  offsets: tf.Tensor1D;
  /** [E] the other end of each slot */
  neighbours: tf.Tensor1D;
  /** [E] by-destination edge id of each slot; null by destination, where the slot is the edge */
  edgeIds: tf.Tensor1D | null;
}

/** The pairing of a symmetric graph's edges, for one-operand distances (see views.reverseEdges). */
export interface PairedEdges {
  /** [E] the reverse of each edge */
  reverse: tf.Tensor1D;
  /** [L] the edges u→v with u ≤ v, each pair's representative */
  lowerEdges: tf.Tensor1D;
  /** [E] position in lowerEdges of each edge's representative (itself or its reverse) */
  representative: tf.Tensor1D;
}

type Name = 'offsets' | 'sources' | 'destinations' | 'outOffsets' | 'outTargets' | 'outEdgeIds' | 'reverse' | 'lowerEdges' | 'representative';

interface Entry {
  tensors: Map<Name, tf.Tensor1D>;
  /** the same tensors, handed to the FinalizationRegistry (it must not reference the graph) */
  list: tf.Tensor1D[];
}

const cache = new WeakMap<CsrGraph, Entry>();
const release = new FinalizationRegistry<tf.Tensor1D[]>((tensors) => tf.dispose(tensors));

function tensorOf(graph: CsrGraph, name: Name, compute: () => Int32Array): tf.Tensor1D {
  let entry = cache.get(graph);
  if (!entry) {
    entry = { tensors: new Map(), list: [] };
    cache.set(graph, entry);
    release.register(graph, entry.list);
  }
  let tensor = entry.tensors.get(name);
  if (!tensor) {
    // kept: the first use is usually inside a model's tidy
    tensor = tf.keep(tf.tensor1d(compute(), 'int32'));
    entry.tensors.set(name, tensor);
    entry.list.push(tensor);
  }
  return tensor;
}

export function edgeSources(graph: CsrGraph): tf.Tensor1D {
  return tensorOf(graph, 'sources', () => graph.sources);
}

export function destinationsOf(graph: CsrGraph): tf.Tensor1D {
  return tensorOf(graph, 'destinations', () => edgeDestinations(graph));
}

export function byDestination(graph: CsrGraph): RowView {
  return { offsets: tensorOf(graph, 'offsets', () => graph.offsets), neighbours: edgeSources(graph), edgeIds: null };
}

export function bySource(graph: CsrGraph): RowView {
  return {
    offsets: tensorOf(graph, 'outOffsets', () => outgoingView(graph).offsets),
    neighbours: tensorOf(graph, 'outTargets', () => outgoingView(graph).targets),
    edgeIds: tensorOf(graph, 'outEdgeIds', () => outgoingView(graph).edgeIds),
  };
}

/** The pairing of `graph`'s edges, or null when the graph is not symmetric. */
export function pairedEdges(graph: CsrGraph): PairedEdges | null {
  const pairs = reverseEdges(graph);
  if (!pairs) return null;
  const lower = () => {
    const ids: number[] = [];
    for (let v = 0; v < graph.numNodes; v++) for (let e = graph.offsets[v]; e < pairs.lowerEnds[v]; e++) ids.push(e);
    return Int32Array.from(ids);
  };
  return {
    reverse: tensorOf(graph, 'reverse', () => pairs.reverse),
    lowerEdges: tensorOf(graph, 'lowerEdges', lower),
    representative: tensorOf(graph, 'representative', () => {
      const position = new Int32Array(graph.sources.length).fill(-1);
      lower().forEach((e, i) => (position[e] = i));
      return position.map((p, e) => (p >= 0 ? p : position[pairs.reverse[e]]));
    }),
  };
}
