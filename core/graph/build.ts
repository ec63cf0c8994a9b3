import { UserError } from '../errors';
import type { CsrGraph } from './csr';

export interface BuildOptions {
  /** add v→u for every u→v (undirected inputs); default true */
  symmetrise?: boolean;
  /** make every node have exactly one self-loop v→v; default true */
  selfLoops?: boolean;
}

/**
 * Builds the by-destination CSR graph from an edge list u→v: duplicates removed, optionally
 * symmetrised, with exactly one self-loop per node when asked. Sources within a destination are
 * sorted ascending. Indices are checked against numNodes, naming the first bad edge.
 */
export function buildGraph(
  numNodes: number,
  edgeSources: ArrayLike<number>,
  edgeTargets: ArrayLike<number>,
  options: BuildOptions = {},
): CsrGraph {
  const symmetrise = options.symmetrise ?? true;
  const selfLoops = options.selfLoops ?? true;
  if (!Number.isInteger(numNodes) || numNodes < 0) throw new UserError(`graph: invalid node count ${numNodes}`);
  if (edgeSources.length !== edgeTargets.length) {
    throw new UserError(`graph: ${edgeSources.length} edge sources but ${edgeTargets.length} edge targets`);
  }
  const m = edgeSources.length;
  for (let i = 0; i < m; i++) {
    const u = edgeSources[i];
    const v = edgeTargets[i];
    if (!(Number.isInteger(u) && u >= 0 && u < numNodes && Number.isInteger(v) && v >= 0 && v < numNodes)) {
      throw new UserError(`graph: edge ${i} (${u} → ${v}) is out of range for ${numNodes} nodes`);
    }
  }

  // Count candidate edges per destination (duplicates included), then fill, sort and dedupe each row.
  // With selfLoops, input self-loops are dropped and exactly one per node is added; without, they are kept.
  const rawOffsets = new Int32Array(numNodes + 1);
  for (let i = 0; i < m; i++) {
    const u = edgeSources[i];
    const v = edgeTargets[i];
    if (u === v) {
      if (!selfLoops) rawOffsets[v + 1]++;
      continue;
    }
    rawOffsets[v + 1]++;
    if (symmetrise) rawOffsets[u + 1]++;
  }
  if (selfLoops) for (let v = 0; v < numNodes; v++) rawOffsets[v + 1]++;
  for (let v = 0; v < numNodes; v++) rawOffsets[v + 1] += rawOffsets[v];
  const raw = new Int32Array(rawOffsets[numNodes]);
  const fill = rawOffsets.slice(0, numNodes);
  for (let i = 0; i < m; i++) {
    const u = edgeSources[i];
    const v = edgeTargets[i];
    if (u === v) {
      if (!selfLoops) raw[fill[v]++] = v;
      continue;
    }
    raw[fill[v]++] = u;
    if (symmetrise) raw[fill[u]++] = v;
  }
  if (selfLoops) for (let v = 0; v < numNodes; v++) raw[fill[v]++] = v;

  const offsets = new Int32Array(numNodes + 1);
  let write = 0;
  for (let v = 0; v < numNodes; v++) {
    const row = raw.subarray(rawOffsets[v], rawOffsets[v + 1]).sort();
    offsets[v] = write;
    for (let k = 0; k < row.length; k++) {
      if (k === 0 || row[k] !== row[k - 1]) raw[write++] = row[k];
    }
  }
  offsets[numNodes] = write;
  return { numNodes, offsets, sources: raw.slice(0, write) };
}
