/**
 * The graph type every layer of the workbench passes around.
 *
 * Message edges u→v are stored by DESTINATION (compressed sparse rows over v): the sources of the
 * edges entering node v are `sources[offsets[v] .. offsets[v+1])`. Edge ids are positions in that
 * order, so per-edge tensors ([E] or [E, H]) line up with `sources`. Within one destination the
 * sources are sorted ascending. This is the layout message passing reads ("aggregate over incoming
 * edges"); the transposed (by source) view needed by gradients is derived by `outgoingView`.
 */
export interface CsrGraph {
  readonly numNodes: number;
  /** length numNodes + 1; offsets[numNodes] === numEdges */
  readonly offsets: Int32Array;
  /** length numEdges; source node of each edge, grouped by destination */
  readonly sources: Int32Array;
}

/**
 * The same edges grouped by SOURCE: for node u, `edgeIds[offsets[u] .. offsets[u+1])` are the ids
 * (positions in the by-destination order) of the edges leaving u, and `targets` the matching
 * destinations. Used for backward passes (scatter of gradients to sources) without atomics.
 */
export interface OutgoingView {
  readonly offsets: Int32Array;
  readonly targets: Int32Array;
  readonly edgeIds: Int32Array;
}

export function numEdges(graph: CsrGraph): number {
  return graph.sources.length;
}
