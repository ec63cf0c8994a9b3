import { describe, expect, it } from 'vitest';
import { Rng } from '../random';
import { buildGraph } from './build';
import { permuteGraph, permuteRows, ranks, reverseCuthillMcKee } from './reorder';

function edgeSet(graph: { numNodes: number; offsets: Int32Array; sources: Int32Array }, rename: (v: number) => number = (v) => v): string[] {
  const edges: string[] = [];
  for (let v = 0; v < graph.numNodes; v++) {
    for (let e = graph.offsets[v]; e < graph.offsets[v + 1]; e++) edges.push(`${rename(graph.sources[e])}>${rename(v)}`);
  }
  return edges.sort();
}

describe('reverse Cuthill–McKee', () => {
  const rng = new Rng(4);
  // a long path with shuffled node ids, plus a few chords and a separate component
  const n = 300;
  const shuffled = Int32Array.from({ length: n }, (_, i) => i);
  rng.shuffle(shuffled);
  const sources: number[] = [];
  const targets: number[] = [];
  const link = (a: number, b: number) => {
    sources.push(shuffled[a]);
    targets.push(shuffled[b]);
  };
  for (let i = 0; i + 1 < 250; i++) link(i, i + 1);
  for (let i = 250; i + 1 < n; i++) link(i, i + 1);
  for (let k = 0; k < 10; k++) link(k * 20, k * 20 + 3);
  const graph = buildGraph(n, sources, targets);

  it('numbers every node once, deterministically', () => {
    const order = reverseCuthillMcKee(graph);
    expect(Array.from(order).sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
    expect(Array.from(reverseCuthillMcKee(graph))).toEqual(Array.from(order));
  });

  it('brings the ends of every edge close together', () => {
    const bandwidth = (g: typeof graph) => {
      let widest = 0;
      for (let v = 0; v < g.numNodes; v++) for (let e = g.offsets[v]; e < g.offsets[v + 1]; e++) widest = Math.max(widest, Math.abs(g.sources[e] - v));
      return widest;
    };
    const permuted = permuteGraph(graph, reverseCuthillMcKee(graph));
    expect(bandwidth(graph)).toBeGreaterThan(200);
    expect(bandwidth(permuted)).toBeLessThanOrEqual(4);
  });

  it('keeps the same edges under the new numbers, sources sorted per destination, and rows follow their nodes', () => {
    const order = reverseCuthillMcKee(graph);
    const rank = ranks(order);
    const permuted = permuteGraph(graph, order, rank);
    expect(edgeSet(permuted)).toEqual(edgeSet(graph, (v) => rank[v]));
    for (let v = 0; v < n; v++) {
      for (let e = permuted.offsets[v] + 1; e < permuted.offsets[v + 1]; e++) expect(permuted.sources[e]).toBeGreaterThan(permuted.sources[e - 1]);
    }
    const rows = Float32Array.from({ length: n * 2 }, (_, i) => i);
    const moved = permuteRows(rows, order, 2);
    for (let i = 0; i < n; i++) expect([moved[2 * i], moved[2 * i + 1]]).toEqual([2 * order[i], 2 * order[i] + 1]);
  });
});
