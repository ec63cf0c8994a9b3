import { UserError } from '../errors';
import type { CsrGraph } from './csr';

/**
 * Checks the CsrGraph invariants every kernel relies on: offsets of length numNodes + 1 starting at
 * 0, non-decreasing, ending at the edge count; sources in range; each row sorted and free of
 * duplicates. Throws a UserError naming `label` (e.g. a file) and the first problem found.
 */
export function validateGraph(graph: CsrGraph, label: string): void {
  const { numNodes, offsets, sources } = graph;
  const fail = (problem: string): never => {
    throw new UserError(`${label}: invalid graph: ${problem}`);
  };
  if (!Number.isInteger(numNodes) || numNodes < 0) fail(`node count ${numNodes} is not a non-negative integer`);
  if (offsets.length !== numNodes + 1) fail(`offsets has length ${offsets.length}, expected ${numNodes + 1} (nodes + 1)`);
  if (offsets[0] !== 0) fail(`offsets[0] is ${offsets[0]}, expected 0`);
  for (let v = 0; v < numNodes; v++) {
    if (offsets[v + 1] < offsets[v]) fail(`offsets decrease at node ${v} (${offsets[v]} then ${offsets[v + 1]})`);
  }
  if (offsets[numNodes] !== sources.length) {
    fail(`offsets end at ${offsets[numNodes]} but there are ${sources.length} edge sources`);
  }
  for (let v = 0; v < numNodes; v++) {
    for (let e = offsets[v]; e < offsets[v + 1]; e++) {
      const source = sources[e];
      if (source < 0 || source >= numNodes) fail(`edge ${e} into node ${v} has source ${source}, out of range for ${numNodes} nodes`);
      if (e > offsets[v] && source <= sources[e - 1]) {
        const why = source === sources[e - 1] ? 'duplicate source' : 'sources not sorted ascending';
        fail(`edge ${e} into node ${v}: ${why} (${sources[e - 1]} then ${source})`);
      }
    }
  }
}
