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

/**
 * Pairs each edge with its reverse, for graphs where every edge u→v has a reverse v→u (as many
 * copies each way; self-loops are their own reverse), as symmetrised graphs have. Kernels of
 * symmetric functions of both ends use it to compute each pair once.
 */
export interface ReverseIndex {
  /** reverse[e] = id of the edge paired with e, an involution */
  readonly reverse: Int32Array;
  /** lowerEnds[v] = end of v's in-edges whose source is ≤ v (a prefix of the row, sources being sorted) */
  readonly lowerEnds: Int32Array;
}

const reverseCache = new WeakMap<CsrGraph, ReverseIndex | null>();

/** The ReverseIndex of `graph`, or null when it is not symmetric (or a row is unsorted). Cached per graph. */
export function reverseEdges(graph: CsrGraph): ReverseIndex | null {
  if (reverseCache.has(graph)) return reverseCache.get(graph)!;
  const index = buildReverseIndex(graph);
  reverseCache.set(graph, index);
  return index;
}

/** first slot in [start, end) whose source is ≥ (or, with `after`, >) `node` */
function searchRow(sources: Int32Array, start: number, end: number, node: number, after: boolean): number {
  let lo = start;
  let hi = end;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sources[mid] < node || (after && sources[mid] === node)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function buildReverseIndex(graph: CsrGraph): ReverseIndex | null {
  const { numNodes, offsets, sources } = graph;
  const reverse = new Int32Array(sources.length);
  const lowerEnds = new Int32Array(numNodes);
  for (let v = 0; v < numNodes; v++) {
    const start = offsets[v];
    const end = offsets[v + 1];
    for (let e = start + 1; e < end; e++) if (sources[e] < sources[e - 1]) return null;
    lowerEnds[v] = searchRow(sources, start, end, v, true);
    // the k-th copy of u→v pairs with the k-th copy of v→u
    let copy = 0;
    for (let e = start; e < end; e++) {
      const u = sources[e];
      copy = e > start && sources[e - 1] === u ? copy + 1 : 0;
      const partner = searchRow(sources, offsets[u], offsets[u + 1], v, false) + copy;
      if (partner >= offsets[u + 1] || sources[partner] !== v) return null;
      reverse[e] = partner;
    }
  }
  // unequal copy counts each way show up as a pairing that is not an involution
  for (let e = 0; e < reverse.length; e++) if (reverse[reverse[e]] !== e) return null;
  return { reverse, lowerEnds };
}
