import type { CsrGraph } from './csr';
import { inDegrees } from './views';

// Edge weights depend only on the graph, so each is computed once per graph object (PyG's cached gcn_norm).
const gcnCache = new WeakMap<CsrGraph, Float32Array>();
const meanCache = new WeakMap<CsrGraph, Float32Array>();

/**
 * Per-edge weights of D^-½ (A+I) D^-½ for GCN: edge u→v gets 1/sqrt(deg(u)·deg(v)), deg being the
 * in-degree with the self-loop (the graph is expected symmetrised with self-loops, as buildGraph
 * makes it). A zero degree contributes weight 0 rather than Infinity, as in PyG. Aligned with
 * `graph.sources`; cached per graph, so callers must not modify it.
 */
export function gcnEdgeWeights(graph: CsrGraph): Float32Array {
  const cached = gcnCache.get(graph);
  if (cached) return cached;
  const degrees = inDegrees(graph);
  const inverseSqrt = new Float64Array(graph.numNodes);
  for (let v = 0; v < graph.numNodes; v++) inverseSqrt[v] = degrees[v] > 0 ? 1 / Math.sqrt(degrees[v]) : 0;
  const weights = new Float32Array(graph.sources.length);
  for (let v = 0; v < graph.numNodes; v++) {
    for (let e = graph.offsets[v]; e < graph.offsets[v + 1]; e++) {
      weights[e] = inverseSqrt[graph.sources[e]] * inverseSqrt[v];
    }
  }
  gcnCache.set(graph, weights);
  return weights;
}

/**
 * Per-edge weights of GraphSAGE's mean aggregator: every edge entering v gets 1/indeg(v), so the
 * weighted sum over incoming edges is their mean. Aligned with `graph.sources`; cached per graph.
 */
export function meanEdgeWeights(graph: CsrGraph): Float32Array {
  const cached = meanCache.get(graph);
  if (cached) return cached;
  const weights = new Float32Array(graph.sources.length);
  for (let v = 0; v < graph.numNodes; v++) {
    const start = graph.offsets[v];
    const end = graph.offsets[v + 1];
    weights.fill(1 / (end - start), start, end);
  }
  meanCache.set(graph, weights);
  return weights;
}
