import { describe, expect, it } from 'vitest';
import { Rng } from '../random';
import { buildGraph } from './build';
import type { CsrGraph } from './csr';
import { inDegrees, outDegrees, outgoingView } from './views';

function randomDirectedGraph(seed: number, nodes: number, edges: number): CsrGraph {
  const rng = new Rng(seed);
  const src = Array.from({ length: edges }, () => rng.int(nodes));
  const dst = Array.from({ length: edges }, () => rng.int(nodes));
  // Directed so that in- and out-degrees differ and a transpose bug cannot hide behind symmetry.
  return buildGraph(nodes, src, dst, { symmetrise: false, selfLoops: false });
}

describe('outgoingView', () => {
  it('matches a naive transpose: per source, the (target, edge id) pairs in ascending order', () => {
    const graph = randomDirectedGraph(3, 30, 200);
    const naive: [number, number][][] = Array.from({ length: graph.numNodes }, () => []);
    for (let v = 0; v < graph.numNodes; v++) {
      for (let e = graph.offsets[v]; e < graph.offsets[v + 1]; e++) naive[graph.sources[e]].push([v, e]);
    }
    const view = outgoingView(graph);
    expect(view.offsets[graph.numNodes]).toBe(graph.sources.length);
    for (let u = 0; u < graph.numNodes; u++) {
      const got: [number, number][] = [];
      for (let k = view.offsets[u]; k < view.offsets[u + 1]; k++) got.push([view.targets[k], view.edgeIds[k]]);
      expect(got).toEqual(naive[u].sort((a, b) => a[0] - b[0]));
    }
  });

  it('maps every edge id to an edge with the same endpoints', () => {
    const graph = randomDirectedGraph(4, 20, 100);
    const view = outgoingView(graph);
    const destination = new Int32Array(graph.sources.length);
    for (let v = 0; v < graph.numNodes; v++) destination.fill(v, graph.offsets[v], graph.offsets[v + 1]);
    for (let u = 0; u < graph.numNodes; u++) {
      for (let k = view.offsets[u]; k < view.offsets[u + 1]; k++) {
        expect(graph.sources[view.edgeIds[k]]).toBe(u);
        expect(destination[view.edgeIds[k]]).toBe(view.targets[k]);
      }
    }
    expect(Array.from(view.edgeIds).sort((a, b) => a - b)).toEqual(Array.from({ length: graph.sources.length }, (_, i) => i));
  });

  it('is cached per graph object', () => {
    const graph = randomDirectedGraph(5, 10, 30);
    expect(outgoingView(graph)).toBe(outgoingView(graph));
    expect(outgoingView({ ...graph })).not.toBe(outgoingView(graph));
  });

  it('handles a graph without edges', () => {
    const view = outgoingView({ numNodes: 3, offsets: new Int32Array(4), sources: new Int32Array(0) });
    expect(Array.from(view.offsets)).toEqual([0, 0, 0, 0]);
    expect(view.targets.length).toBe(0);
  });
});

describe('degrees', () => {
  it('count incoming and outgoing edges', () => {
    // 0→1, 0→2, 2→1
    const graph = buildGraph(3, [0, 0, 2], [1, 2, 1], { symmetrise: false, selfLoops: false });
    expect(Array.from(inDegrees(graph))).toEqual([0, 2, 1]);
    expect(Array.from(outDegrees(graph))).toEqual([2, 0, 1]);
  });

  it('agree with the outgoing view', () => {
    const graph = randomDirectedGraph(6, 25, 150);
    const view = outgoingView(graph);
    const out = outDegrees(graph);
    for (let u = 0; u < graph.numNodes; u++) expect(out[u]).toBe(view.offsets[u + 1] - view.offsets[u]);
    expect(inDegrees(graph).reduce((a, b) => a + b, 0)).toBe(graph.sources.length);
  });
});
