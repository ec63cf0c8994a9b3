import { describe, expect, it } from 'vitest';
import type { GraphData } from './graph-data';
import { UserError } from '../errors';
import { batchGraphs } from './batch';
import { buildGraph } from './build';
import { validateGraph } from './validate';

function part(nodes: number, src: number[], dst: number[], features: number, firstValue: number): GraphData {
  return {
    graph: buildGraph(nodes, src, dst),
    features: Float32Array.from({ length: nodes * features }, (_, i) => firstValue + i),
    labels: Int32Array.from({ length: nodes }, (_, i) => (firstValue + i) % 3),
  };
}

describe('batchGraphs', () => {
  it('places each graph in its own block with shifted node ids', () => {
    const parts = [part(3, [0, 1], [1, 2], 2, 0), part(2, [0], [1], 2, 100), part(4, [0, 2], [3, 1], 2, 200)];
    const { data, nodeOffsets } = batchGraphs(parts, 3, 'multiclass');
    expect(Array.from(nodeOffsets)).toEqual([0, 3, 5, 9]);
    validateGraph(data.graph, 'batch');
    expect(data.graph.sources.length).toBe(parts.reduce((sum, p) => sum + p.graph.sources.length, 0));

    parts.forEach((p, index) => {
      const base = nodeOffsets[index];
      for (let v = 0; v < p.graph.numNodes; v++) {
        const original = Array.from(p.graph.sources.subarray(p.graph.offsets[v], p.graph.offsets[v + 1]));
        const batched = data.graph.sources.subarray(data.graph.offsets[base + v], data.graph.offsets[base + v + 1]);
        expect(Array.from(batched)).toEqual(original.map((u) => u + base));
      }
      expect(Array.from(data.features.subarray(base * 2, (base + p.graph.numNodes) * 2))).toEqual(Array.from(p.features));
      expect(Array.from(data.labels.subarray(base, base + p.graph.numNodes))).toEqual(Array.from(p.labels));
    });
  });

  it('concatenates multi-label rows', () => {
    const a: GraphData = { graph: buildGraph(2, [0], [1]), features: new Float32Array(2), labels: Uint8Array.from([1, 0, 0, 0, 1, 1]) };
    const b: GraphData = { graph: buildGraph(1, [], []), features: new Float32Array(1), labels: Uint8Array.from([0, 1, 0]) };
    const { data } = batchGraphs([a, b], 3, 'multilabel');
    expect(data.labels).toBeInstanceOf(Uint8Array);
    expect(Array.from(data.labels)).toEqual([1, 0, 0, 0, 1, 1, 0, 1, 0]);
  });

  it('rejects parts with different feature widths or wrong label layout', () => {
    const narrow = part(2, [0], [1], 2, 0);
    const wide = part(2, [0], [1], 3, 0);
    expect(() => batchGraphs([narrow, wide], 3, 'multiclass')).toThrow(UserError);
    expect(() => batchGraphs([narrow], 3, 'multilabel')).toThrow(/graph 0 has Int32Array labels, a multilabel task needs Uint8Array/);
    const shortLabels: GraphData = { ...narrow, labels: new Int32Array(1) };
    expect(() => batchGraphs([narrow, shortLabels], 3, 'multiclass')).toThrow(/graph 1 has 1 label values, expected 2/);
  });
});
