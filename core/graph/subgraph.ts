import { UserError } from '../errors';
import type { CsrGraph } from './csr';

/**
 * The subgraph induced by `nodes`: the edges whose both ends are in the set, with node nodes[i]
 * renumbered to i. Returns the new graph and the mapping (new index → original node). Node ids
 * must be in range and distinct.
 */
export function inducedSubgraph(graph: CsrGraph, nodes: Int32Array): { graph: CsrGraph; nodes: Int32Array } {
  const newIndex = new Int32Array(graph.numNodes).fill(-1);
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i];
    if (!(node >= 0 && node < graph.numNodes)) {
      throw new UserError(`subgraph: node ${node} at position ${i} is out of range for ${graph.numNodes} nodes`);
    }
    if (newIndex[node] !== -1) {
      throw new UserError(`subgraph: node ${node} is listed twice (positions ${newIndex[node]} and ${i})`);
    }
    newIndex[node] = i;
  }

  // Two passes (count, then fill) so the result is built in typed arrays without growing lists.
  const offsets = new Int32Array(nodes.length + 1);
  for (let i = 0; i < nodes.length; i++) {
    let count = 0;
    for (let e = graph.offsets[nodes[i]]; e < graph.offsets[nodes[i] + 1]; e++) {
      if (newIndex[graph.sources[e]] !== -1) count++;
    }
    offsets[i + 1] = offsets[i] + count;
  }
  const sources = new Int32Array(offsets[nodes.length]);
  for (let i = 0; i < nodes.length; i++) {
    let write = offsets[i];
    for (let e = graph.offsets[nodes[i]]; e < graph.offsets[nodes[i] + 1]; e++) {
      const source = newIndex[graph.sources[e]];
      if (source !== -1) sources[write++] = source;
    }
    // Renumbering can reorder sources; rows must stay sorted.
    sources.subarray(offsets[i], write).sort();
  }
  return { graph: { numNodes: nodes.length, offsets, sources }, nodes: nodes.slice() };
}
