import { describe, expect, it } from 'vitest';
import { UserError } from '../errors';
import { Rng } from '../random';
import { buildGraph } from './build';
import { inducedSubgraph } from './subgraph';
import { validateGraph } from './validate';

describe('inducedSubgraph', () => {
  it('matches a brute-force edge filter with renumbering in the given order', () => {
    const rng = new Rng(9);
    const nodes = 30;
    const src = Array.from({ length: 150 }, () => rng.int(nodes));
    const dst = Array.from({ length: 150 }, () => rng.int(nodes));
    const graph = buildGraph(nodes, src, dst, { symmetrise: false });
    // An unsorted selection so renumbering reorders sources within rows.
    const picked = Int32Array.from([17, 3, 25, 8, 0, 11, 29, 4, 20, 14]);

    const { graph: sub, nodes: mapping } = inducedSubgraph(graph, picked);
    expect(Array.from(mapping)).toEqual(Array.from(picked));
    validateGraph(sub, 'subgraph');

    const position = new Map(Array.from(picked, (node, i) => [node, i]));
    const expected: string[] = [];
    for (let v = 0; v < nodes; v++) {
      for (let e = graph.offsets[v]; e < graph.offsets[v + 1]; e++) {
        const u = graph.sources[e];
        if (position.has(u) && position.has(v)) expected.push(`${position.get(u)}>${position.get(v)}`);
      }
    }
    const got: string[] = [];
    for (let v = 0; v < sub.numNodes; v++) {
      for (let e = sub.offsets[v]; e < sub.offsets[v + 1]; e++) got.push(`${sub.sources[e]}>${v}`);
    }
    expect(got.sort()).toEqual(expected.sort());
  });

  it('gives an empty graph for an empty selection', () => {
    const graph = buildGraph(4, [0, 1], [1, 2]);
    const { graph: sub } = inducedSubgraph(graph, new Int32Array(0));
    expect(sub.numNodes).toBe(0);
    expect(Array.from(sub.offsets)).toEqual([0]);
  });

  it('rejects out-of-range and repeated nodes', () => {
    const graph = buildGraph(4, [0, 1], [1, 2]);
    expect(() => inducedSubgraph(graph, Int32Array.from([0, 4]))).toThrow(UserError);
    expect(() => inducedSubgraph(graph, Int32Array.from([0, 4]))).toThrow(/node 4 at position 1 is out of range/);
    expect(() => inducedSubgraph(graph, Int32Array.from([2, 1, 2]))).toThrow(/node 2 is listed twice/);
  });
});
