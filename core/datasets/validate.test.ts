import { describe, expect, it } from 'vitest';
import { buildGraph } from '../graph/build';
import { expectUserError } from './testing/fixtures';
import type { GraphData } from '../graph/graph-data';
import type { Dataset } from './types';
import { validateDataset } from './validate';

const graph = buildGraph(3, [0, 1], [1, 2]);

function multiclass(overrides: Partial<Dataset> = {}, data: Partial<GraphData> = {}): Dataset {
  return {
    name: 'toy',
    task: 'multiclass',
    numFeatures: 2,
    numClasses: 2,
    graphs: [{ graph, features: new Float32Array([1, 0, 0, 1, 0.5, 0.5]), labels: Int32Array.from([0, 1, 1]), ...data }],
    source: 'test',
    ...overrides,
  };
}

function multilabel(labels: Uint8Array = new Uint8Array([1, 0, 0, 1, 1, 1])): Dataset {
  const data: GraphData = { graph, features: new Float32Array(6), labels };
  return { name: 'ml', task: 'multilabel', numFeatures: 2, numClasses: 2, graphs: [data, data, data], graphSplit: { train: [0], val: [1], test: [2] }, source: 't' };
}

describe('validateDataset', () => {
  it('accepts consistent datasets', () => {
    expect(() => validateDataset(multiclass({ nodeNames: ['a', 'b', 'c'], classNames: ['x', 'y'] }), 'toy')).not.toThrow();
    expect(() => validateDataset(multilabel(), 'ml')).not.toThrow();
  });

  it('refuses non-finite features, naming node and feature', () => {
    expectUserError(() => validateDataset(multiclass({}, { features: new Float32Array([1, 0, 0, NaN, 0, 0]) }), 'toy.csv'), /^toy\.csv: feature 1 of node 1 is NaN/);
    expectUserError(() => validateDataset(multiclass({}, { features: new Float32Array([1, 0, 0, 0, Infinity, 0]) }), 'toy'), /feature 0 of node 2 is Infinity/);
  });

  it('refuses arrays whose lengths disagree with the node count', () => {
    expectUserError(() => validateDataset(multiclass({}, { features: new Float32Array(5) }), 'toy'), /features hold 5 values, expected 3 nodes × 2 features/);
    expectUserError(() => validateDataset(multiclass({}, { labels: Int32Array.from([0, 1]) }), 'toy'), /2 labels for 3 nodes/);
    expectUserError(() => validateDataset(multiclass({ nodeNames: ['a'] }), 'toy'), /1 node names for 3 nodes/);
    expectUserError(() => validateDataset(multiclass({ classNames: ['a', 'b', 'c'] }), 'toy'), /3 class names for 2 classes/);
    expectUserError(() => validateDataset(multilabel(new Uint8Array(5)), 'ml'), /graph 0: 5 label values, expected 3 nodes × 2 labels/);
  });

  it('refuses labels outside their range', () => {
    expectUserError(() => validateDataset(multiclass({}, { labels: Int32Array.from([0, 2, 1]) }), 'toy'), /label 2 of node 1 is outside \[0, 2\)/);
    expectUserError(() => validateDataset(multiclass({}, { labels: Int32Array.from([0, -1, 1]) }), 'toy'), /label -1 of node 1 is outside/);
    expectUserError(() => validateDataset(multilabel(new Uint8Array([1, 0, 0, 2, 1, 1])), 'ml'), /label value 2 at node 1 is not 0 or 1/);
    expectUserError(() => validateDataset(multiclass({}, { labels: new Uint8Array(3) as unknown as Int32Array }), 'toy'), /must be an Int32Array/);
  });

  it('refuses broken graphs, counts and splits', () => {
    const broken = { numNodes: 3, offsets: Int32Array.from([0, 1, 2, 3]), sources: Int32Array.from([0, 5, 2]) };
    expectUserError(() => validateDataset(multiclass({}, { graph: broken }), 'toy'), /toy: invalid graph: edge 1 into node 1 has source 5/);
    expectUserError(() => validateDataset(multiclass({ numClasses: 0 }), 'toy'), /invalid class count 0/);
    expectUserError(() => validateDataset(multiclass({ graphs: [] }), 'toy'), /has no graphs/);
    expectUserError(() => validateDataset({ ...multilabel(), graphSplit: { train: [0], val: [3], test: [2] } }, 'ml'), /graph split 'val' names graph 3, out of range for 3 graphs/);
    expectUserError(() => validateDataset({ ...multilabel(), graphSplit: { train: [0, 1], val: [1], test: [2] } }, 'ml'), /graph 1 appears twice/);
  });
});
