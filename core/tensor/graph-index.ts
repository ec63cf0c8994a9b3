import type { CsrGraph } from '../graph/csr';

/**
 * Index arrays derived from a CsrGraph that the graph ops need again and again (per-edge
 * destinations, in-degrees, degree buckets; the by-source view is core/graph/views' outgoingView).
 * Each is computed once per graph object and cached in a WeakMap, so a graph that is dropped
 * releases them too. Graphs are immutable once built, so the cache never goes stale.
 */

/**
 * Destinations grouped by in-degree into power-of-two width classes, each padded to its width, so
 * that per-destination reductions without a native segment op (max) can run as dense
 * gather + reduce with at most 2·E padded slots. Nodes with no incoming edges are in no bucket.
 */
export interface DegreeBucket {
  /** destination nodes in this bucket */
  readonly nodes: Int32Array;
  /** padded row width (≥ every member's in-degree) */
  readonly width: number;
  /** [nodes.length × width] edge ids, row-major; padding slots hold numEdges (a sentinel row) */
  readonly edgeIds: Int32Array;
}

interface GraphIndex {
  destinations?: Int32Array;
  inDegrees?: Int32Array;
  buckets?: DegreeBucket[];
}

const cache = new WeakMap<CsrGraph, GraphIndex>();

function indexOf(graph: CsrGraph): GraphIndex {
  let entry = cache.get(graph);
  if (!entry) {
    entry = {};
    cache.set(graph, entry);
  }
  return entry;
}

/** destination node of every edge, in edge order */
export function edgeDestinations(graph: CsrGraph): Int32Array {
  const entry = indexOf(graph);
  if (!entry.destinations) {
    const { offsets, numNodes } = graph;
    const destinations = new Int32Array(graph.sources.length);
    for (let v = 0; v < numNodes; v++) destinations.fill(v, offsets[v], offsets[v + 1]);
    entry.destinations = destinations;
  }
  return entry.destinations;
}

export function inDegrees(graph: CsrGraph): Int32Array {
  const entry = indexOf(graph);
  if (!entry.inDegrees) {
    const { offsets, numNodes } = graph;
    const degrees = new Int32Array(numNodes);
    for (let v = 0; v < numNodes; v++) degrees[v] = offsets[v + 1] - offsets[v];
    entry.inDegrees = degrees;
  }
  return entry.inDegrees;
}

export function degreeBuckets(graph: CsrGraph): DegreeBucket[] {
  const entry = indexOf(graph);
  if (!entry.buckets) {
    const { numNodes, offsets } = graph;
    const sentinel = graph.sources.length;
    const members = new Map<number, number[]>();
    for (let v = 0; v < numNodes; v++) {
      const degree = offsets[v + 1] - offsets[v];
      if (degree === 0) continue;
      const width = 2 ** Math.ceil(Math.log2(degree));
      let list = members.get(width);
      if (!list) members.set(width, (list = []));
      list.push(v);
    }
    const buckets: DegreeBucket[] = [];
    for (const width of [...members.keys()].sort((a, b) => a - b)) {
      const nodes = Int32Array.from(members.get(width)!);
      const edgeIds = new Int32Array(nodes.length * width).fill(sentinel);
      nodes.forEach((v, row) => {
        for (let k = 0; k < offsets[v + 1] - offsets[v]; k++) edgeIds[row * width + k] = offsets[v] + k;
      });
      buckets.push({ nodes, width, edgeIds });
    }
    entry.buckets = buckets;
  }
  return entry.buckets;
}
