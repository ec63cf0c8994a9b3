import type { Task } from '../../contract/api';
import type { GraphData } from './graph-data';
import { UserError } from '../errors';

/**
 * Joins several graphs into one block-diagonal graph (no edges between parts), concatenating their
 * features and labels, so a mini-batch of graphs trains in one pass. Part p's node i becomes node
 * nodeOffsets[p] + i; nodeOffsets has parts.length + 1 entries, the last being the total node count.
 * All parts must have the same feature width and labels of the layout `task` implies.
 */
export function batchGraphs(
  parts: GraphData[],
  numClasses: number,
  task: Task,
): { data: GraphData; nodeOffsets: Int32Array } {
  const nodeOffsets = new Int32Array(parts.length + 1);
  let totalEdges = 0;
  let totalFeatureValues = 0;
  for (let p = 0; p < parts.length; p++) {
    nodeOffsets[p + 1] = nodeOffsets[p] + parts[p].graph.numNodes;
    totalEdges += parts[p].graph.sources.length;
    totalFeatureValues += parts[p].features.length;
  }
  const totalNodes = nodeOffsets[parts.length];
  const numFeatures = totalNodes > 0 ? totalFeatureValues / totalNodes : 0;
  const labelsPerNode = task === 'multilabel' ? numClasses : 1;
  for (let p = 0; p < parts.length; p++) checkPart(parts[p], p, numFeatures, labelsPerNode, task);

  const offsets = new Int32Array(totalNodes + 1);
  const sources = new Int32Array(totalEdges);
  const features = new Float32Array(totalFeatureValues);
  const labels = task === 'multilabel' ? new Uint8Array(totalNodes * numClasses) : new Int32Array(totalNodes);
  let edgeBase = 0;
  for (let p = 0; p < parts.length; p++) {
    const { graph } = parts[p];
    const nodeBase = nodeOffsets[p];
    for (let v = 0; v < graph.numNodes; v++) offsets[nodeBase + v + 1] = edgeBase + graph.offsets[v + 1];
    for (let e = 0; e < graph.sources.length; e++) sources[edgeBase + e] = graph.sources[e] + nodeBase;
    features.set(parts[p].features, nodeBase * numFeatures);
    labels.set(parts[p].labels, nodeBase * labelsPerNode);
    edgeBase += graph.sources.length;
  }
  return { data: { graph: { numNodes: totalNodes, offsets, sources }, features, labels }, nodeOffsets };
}

function checkPart(part: GraphData, index: number, numFeatures: number, labelsPerNode: number, task: Task): void {
  const nodes = part.graph.numNodes;
  if (part.features.length !== nodes * numFeatures) {
    throw new UserError(
      `batch: graph ${index} has ${part.features.length} feature values for ${nodes} nodes; the parts do not share one feature width`,
    );
  }
  const expectedType = task === 'multilabel' ? Uint8Array : Int32Array;
  if (!(part.labels instanceof expectedType)) {
    throw new UserError(`batch: graph ${index} has ${part.labels.constructor.name} labels, a ${task} task needs ${expectedType.name}`);
  }
  if (part.labels.length !== nodes * labelsPerNode) {
    throw new UserError(`batch: graph ${index} has ${part.labels.length} label values, expected ${nodes * labelsPerNode}`);
  }
}
