import { UserError } from '../errors';
import { validateGraph } from '../graph/validate';
import type { Dataset } from './types';

/**
 * The final checks every loader runs before handing a Dataset out: graph invariants, array lengths
 * consistent with the node counts, features finite, labels inside [0, classes) (multi-class) or 0/1
 * (multi-label), names and splits consistent. Throws a UserError naming `label` and the first problem.
 */
export function validateDataset(dataset: Dataset, label: string): void {
  const fail = (problem: string): never => {
    throw new UserError(`${label}: ${problem}`);
  };
  const { numFeatures, numClasses, graphs, task } = dataset;
  if (!Number.isInteger(numFeatures) || numFeatures < 0) fail(`invalid feature count ${numFeatures}`);
  if (!Number.isInteger(numClasses) || numClasses < 1) fail(`invalid class count ${numClasses} (at least one class is needed)`);
  if (graphs.length === 0) fail('has no graphs');

  graphs.forEach((data, g) => {
    const where = graphs.length > 1 ? `graph ${g}: ` : '';
    const n = data.graph.numNodes;
    validateGraph(data.graph, graphs.length > 1 ? `${label}: graph ${g}` : label);
    if (data.features.length !== n * numFeatures) {
      fail(`${where}features hold ${data.features.length} values, expected ${n} nodes × ${numFeatures} features`);
    }
    for (let i = 0; i < data.features.length; i++) {
      const value = data.features[i];
      if (!Number.isFinite(value)) {
        const node = Math.floor(i / Math.max(1, numFeatures));
        fail(`${where}feature ${i - node * numFeatures} of node ${node} is ${value} (features must be finite numbers)`);
      }
    }
    if (task === 'multiclass') {
      if (!(data.labels instanceof Int32Array)) fail(`${where}multi-class labels must be an Int32Array`);
      if (data.labels.length !== n) fail(`${where}${data.labels.length} labels for ${n} nodes`);
      for (let v = 0; v < n; v++) {
        const y = data.labels[v];
        if (y < 0 || y >= numClasses) fail(`${where}label ${y} of node ${v} is outside [0, ${numClasses})`);
      }
    } else {
      if (!(data.labels instanceof Uint8Array)) fail(`${where}multi-label targets must be a Uint8Array`);
      if (data.labels.length !== n * numClasses) {
        fail(`${where}${data.labels.length} label values, expected ${n} nodes × ${numClasses} labels`);
      }
      for (let i = 0; i < data.labels.length; i++) {
        if (data.labels[i] > 1) fail(`${where}label value ${data.labels[i]} at node ${Math.floor(i / numClasses)} is not 0 or 1`);
      }
    }
  });

  const totalNodes = graphs.reduce((sum, data) => sum + data.graph.numNodes, 0);
  if (dataset.nodeNames && dataset.nodeNames.length !== totalNodes) {
    fail(`${dataset.nodeNames.length} node names for ${totalNodes} nodes`);
  }
  if (dataset.classNames && dataset.classNames.length !== numClasses) {
    fail(`${dataset.classNames.length} class names for ${numClasses} classes`);
  }
  if (dataset.graphSplit) {
    const seen = new Set<number>();
    for (const part of ['train', 'val', 'test'] as const) {
      for (const g of dataset.graphSplit[part]) {
        if (!Number.isInteger(g) || g < 0 || g >= graphs.length) fail(`graph split '${part}' names graph ${g}, out of range for ${graphs.length} graphs`);
        if (seen.has(g)) fail(`graph ${g} appears twice in the graph split`);
        seen.add(g);
      }
    }
  }
}
