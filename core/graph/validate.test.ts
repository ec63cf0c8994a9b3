import { describe, expect, it } from 'vitest';
import { UserError } from '../errors';
import { buildGraph } from './build';
import type { CsrGraph } from './csr';
import { validateGraph } from './validate';

const graph = (numNodes: number, offsets: number[], sources: number[]): CsrGraph => ({
  numNodes,
  offsets: Int32Array.from(offsets),
  sources: Int32Array.from(sources),
});

describe('validateGraph', () => {
  it('accepts graphs made by buildGraph', () => {
    expect(() => validateGraph(buildGraph(5, [0, 1, 3, 4], [1, 2, 4, 0]), 'ok')).not.toThrow();
    expect(() => validateGraph(graph(0, [0], []), 'empty')).not.toThrow();
  });

  it.each([
    ['wrong offsets length', graph(2, [0, 1], [0]), /offsets has length 2, expected 3/],
    ['offsets not starting at 0', graph(2, [1, 1, 2], [0, 1]), /offsets\[0\] is 1/],
    ['decreasing offsets', graph(3, [0, 2, 1, 3], [0, 1, 2]), /offsets decrease at node 1/],
    ['offsets ending before the edges', graph(2, [0, 1, 1], [0, 1]), /offsets end at 1 but there are 2 edge sources/],
    ['source out of range', graph(2, [0, 1, 2], [0, 2]), /edge 1 into node 1 has source 2, out of range/],
    ['negative source', graph(2, [0, 1, 2], [-1, 0]), /edge 0 into node 0 has source -1/],
    ['unsorted row', graph(3, [0, 0, 2, 2], [2, 0]), /edge 1 into node 1: sources not sorted ascending \(2 then 0\)/],
    ['duplicate source', graph(3, [0, 2, 2, 2], [1, 1]), /edge 1 into node 0: duplicate source/],
    ['bad node count', graph(-1, [0], []), /node count -1/],
  ])('rejects %s, naming the label', (_, bad, problem) => {
    expect(() => validateGraph(bad, 'graph.npz')).toThrow(UserError);
    expect(() => validateGraph(bad, 'graph.npz')).toThrow(problem);
    expect(() => validateGraph(bad, 'graph.npz')).toThrow(/^graph\.npz: invalid graph/);
  });
});
