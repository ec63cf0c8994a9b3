import { describe, expect, it } from 'vitest';
import { Rng } from '../random';
import { buildGraph } from './build';
import type { CsrGraph } from './csr';
import { gcnEdgeWeights, meanEdgeWeights } from './normalise';

function randomGraph(seed: number, nodes: number, edges: number): CsrGraph {
  const rng = new Rng(seed);
  const src = Array.from({ length: edges }, () => rng.int(nodes));
  const dst = Array.from({ length: edges }, () => rng.int(nodes));
  return buildGraph(nodes, src, dst);
}

/** Dense D^-½ (A+I) D^-½ from the undirected edge list, computed independently of the CSR. */
function denseGcnMatrix(nodes: number, graph: CsrGraph): number[][] {
  const adjacency = Array.from({ length: nodes }, () => new Array<number>(nodes).fill(0));
  for (let v = 0; v < nodes; v++) {
    for (let e = graph.offsets[v]; e < graph.offsets[v + 1]; e++) adjacency[v][graph.sources[e]] = 1;
  }
  const degree = adjacency.map((row) => row.reduce((a, b) => a + b, 0));
  return adjacency.map((row, v) => row.map((a, u) => a / Math.sqrt(degree[v] * degree[u])));
}

describe('gcnEdgeWeights', () => {
  it('equals the dense symmetric normalisation entry by entry', () => {
    const graph = randomGraph(1, 15, 40);
    const dense = denseGcnMatrix(15, graph);
    const weights = gcnEdgeWeights(graph);
    expect(weights.length).toBe(graph.sources.length);
    for (let v = 0; v < 15; v++) {
      for (let e = graph.offsets[v]; e < graph.offsets[v + 1]; e++) {
        expect(weights[e]).toBeCloseTo(dense[v][graph.sources[e]], 6);
      }
    }
  });

  it('propagating with the weights equals the dense matrix product', () => {
    const graph = randomGraph(2, 12, 30);
    const dense = denseGcnMatrix(12, graph);
    const x = Array.from({ length: 12 }, (_, i) => Math.sin(i + 1));
    const weights = gcnEdgeWeights(graph);
    for (let v = 0; v < 12; v++) {
      let sparse = 0;
      for (let e = graph.offsets[v]; e < graph.offsets[v + 1]; e++) sparse += weights[e] * x[graph.sources[e]];
      const expected = dense[v].reduce((sum, a, u) => sum + a * x[u], 0);
      expect(sparse).toBeCloseTo(expected, 5);
    }
  });

  it('is cached per graph and gives 0, not Infinity, for a source without edges in', () => {
    const graph = randomGraph(3, 8, 10);
    expect(gcnEdgeWeights(graph)).toBe(gcnEdgeWeights(graph));
    // 0→1 only, directed, no self-loops: node 0 has in-degree 0.
    const directed = buildGraph(2, [0], [1], { symmetrise: false, selfLoops: false });
    expect(Array.from(gcnEdgeWeights(directed))).toEqual([0]);
  });
});

describe('meanEdgeWeights', () => {
  it('weights each edge by 1/in-degree of its destination, so each row sums to 1', () => {
    const graph = randomGraph(4, 20, 50);
    const weights = meanEdgeWeights(graph);
    for (let v = 0; v < 20; v++) {
      const degree = graph.offsets[v + 1] - graph.offsets[v];
      let sum = 0;
      for (let e = graph.offsets[v]; e < graph.offsets[v + 1]; e++) {
        expect(weights[e]).toBeCloseTo(1 / degree, 7);
        sum += weights[e];
      }
      expect(sum).toBeCloseTo(1, 6);
    }
    expect(meanEdgeWeights(graph)).toBe(weights);
  });
});
