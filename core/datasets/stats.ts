import type { DatasetStats } from '../../contract/api';
import type { Dataset } from './types';

/**
 * Summary statistics of a dataset, summed over its graphs. Edges are directed message edges with
 * self-loops. Homophily (multiclass only) is the fraction of non-self-loop edges joining nodes of
 * the same label, null when there are none. The degree histogram uses log2 buckets over in-degree
 * [bucketEdges[i], bucketEdges[i+1]): 1, 2–3, 4–7, …, with a leading [0, 1) bucket only when some
 * node has no incoming edge at all. A node is isolated when it has no incoming edge besides a self-loop.
 */
export function computeStats(dataset: Dataset): DatasetStats {
  let nodes = 0;
  let edges = 0;
  let sameLabelEdges = 0;
  let neighbourEdges = 0;
  let isolatedNodes = 0;
  let zeroDegreeNodes = 0;
  const log2Counts: number[] = [];

  for (const { graph, labels } of dataset.graphs) {
    nodes += graph.numNodes;
    edges += graph.sources.length;
    for (let v = 0; v < graph.numNodes; v++) {
      const start = graph.offsets[v];
      const degree = graph.offsets[v + 1] - start;
      if (degree === 0) zeroDegreeNodes++;
      else {
        const bucket = Math.floor(Math.log2(degree));
        while (log2Counts.length <= bucket) log2Counts.push(0);
        log2Counts[bucket]++;
      }
      let neighbours = 0;
      for (let e = start; e < start + degree; e++) {
        const u = graph.sources[e];
        if (u === v) continue;
        neighbours++;
        if (dataset.task === 'multiclass' && labels[u] === labels[v]) sameLabelEdges++;
      }
      neighbourEdges += neighbours;
      if (neighbours === 0) isolatedNodes++;
    }
  }

  const bucketEdges = log2Counts.map((_, i) => 2 ** i);
  bucketEdges.push(2 ** log2Counts.length);
  const counts = [...log2Counts];
  if (zeroDegreeNodes > 0) {
    bucketEdges.unshift(0);
    counts.unshift(zeroDegreeNodes);
  }

  return {
    name: dataset.name,
    task: dataset.task,
    graphs: dataset.graphs.length,
    nodes,
    edges,
    features: dataset.numFeatures,
    classes: dataset.numClasses,
    homophily: dataset.task === 'multiclass' && neighbourEdges > 0 ? sameLabelEdges / neighbourEdges : null,
    degreeHistogram: { bucketEdges, counts },
    isolatedNodes,
  };
}
