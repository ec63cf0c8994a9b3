import type { CsrGraph, OutgoingView } from './csr';

// A graph object is immutable once built, so its transpose can be shared by every layer and epoch.
const outgoingCache = new WeakMap<CsrGraph, OutgoingView>();

/**
 * The edges of `graph` grouped by source (see OutgoingView). Built once per graph object by a
 * counting sort and cached; callers must not modify the returned arrays. Walking destinations in
 * ascending order makes each source's targets (and edge ids) come out ascending.
 */
export function outgoingView(graph: CsrGraph): OutgoingView {
  const cached = outgoingCache.get(graph);
  if (cached) return cached;

  const { numNodes, offsets: inOffsets, sources } = graph;
  const edgeCount = sources.length;
  const offsets = new Int32Array(numNodes + 1);
  for (let e = 0; e < edgeCount; e++) offsets[sources[e] + 1]++;
  for (let u = 0; u < numNodes; u++) offsets[u + 1] += offsets[u];

  const targets = new Int32Array(edgeCount);
  const edgeIds = new Int32Array(edgeCount);
  const fill = offsets.slice(0, numNodes);
  for (let v = 0; v < numNodes; v++) {
    for (let e = inOffsets[v]; e < inOffsets[v + 1]; e++) {
      const slot = fill[sources[e]]++;
      targets[slot] = v;
      edgeIds[slot] = e;
    }
  }
  const view: OutgoingView = { offsets, targets, edgeIds };
  outgoingCache.set(graph, view);
  return view;
}

/** Number of incoming edges per node (self-loop included when present). */
export function inDegrees(graph: CsrGraph): Int32Array {
  const degrees = new Int32Array(graph.numNodes);
  for (let v = 0; v < graph.numNodes; v++) degrees[v] = graph.offsets[v + 1] - graph.offsets[v];
  return degrees;
}

/** Number of outgoing edges per node (self-loop included when present). */
export function outDegrees(graph: CsrGraph): Int32Array {
  const degrees = new Int32Array(graph.numNodes);
  for (let e = 0; e < graph.sources.length; e++) degrees[graph.sources[e]]++;
  return degrees;
}
