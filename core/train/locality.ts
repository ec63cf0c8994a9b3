import type { GraphData } from '../graph/graph-data';
import { permuteGraph, permuteRows, ranks, reverseCuthillMcKee } from '../graph/reorder';

/**
 * Training on large graphs in a locality-preserving node order (core/graph/reorder.ts). The order
 * is computed once per graph and cached; a run draws its split on the dataset's node ids and maps
 * the node lists into the new numbering, and everything the trainer reports (losses, metrics,
 * alignment matrices) is a sum or mean over nodes, so results are the original order's up to float
 * reassociation.
 */

/** graphs from this many nodes on are renumbered: below, their feature tables stay in cache anyway */
export const LOCALITY_MIN_NODES = 100_000;

const cache = new WeakMap<GraphData, { data: GraphData; rank: Int32Array }>();

/** The graph data renumbered in reverse Cuthill–McKee order, and the map from original node ids to new ones. */
export function inLocalityOrder(original: GraphData, numFeatures: number): { data: GraphData; renumber: (ids: Int32Array) => Int32Array } {
  let entry = cache.get(original);
  if (!entry) {
    const order = reverseCuthillMcKee(original.graph);
    const rank = ranks(order);
    const labelWidth = original.labels.length / original.graph.numNodes;
    const data: GraphData = {
      ...original,
      graph: permuteGraph(original.graph, order, rank),
      features: permuteRows(original.features, order, numFeatures),
      labels: permuteRows(original.labels, order, labelWidth),
    };
    entry = { data, rank };
    cache.set(original, entry);
  }
  const { rank } = entry;
  return { data: entry.data, renumber: (ids) => ids.map((id) => rank[id]) };
}
