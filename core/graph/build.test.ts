import { describe, expect, it } from 'vitest';
import { UserError } from '../errors';
import { Rng } from '../random';
import { buildGraph } from './build';
import type { CsrGraph } from './csr';

/** The graph's edges as "u>v" strings, to compare with a set built by hand. */
function edgeSet(graph: CsrGraph): string[] {
  const edges: string[] = [];
  for (let v = 0; v < graph.numNodes; v++) {
    for (let e = graph.offsets[v]; e < graph.offsets[v + 1]; e++) edges.push(`${graph.sources[e]}>${v}`);
  }
  return edges.sort();
}

function randomEdges(rng: Rng, nodes: number, count: number) {
  const src = Array.from({ length: count }, () => rng.int(nodes));
  const dst = Array.from({ length: count }, () => rng.int(nodes));
  return { src, dst };
}

describe('buildGraph', () => {
  it('removes duplicate edges', () => {
    const graph = buildGraph(3, [0, 0, 0, 1], [1, 1, 1, 2], { symmetrise: false, selfLoops: false });
    expect(edgeSet(graph)).toEqual(['0>1', '1>2']);
    expect(graph.offsets).toEqual(Int32Array.from([0, 0, 1, 2]));
  });

  it('symmetrises and adds exactly one self-loop per node, matching a naive edge set', () => {
    const rng = new Rng(7);
    const { src, dst } = randomEdges(rng, 40, 300);
    // Some input self-loops too: they must not produce a second loop.
    src.push(3, 3, 5);
    dst.push(3, 3, 5);
    const graph = buildGraph(40, src, dst);

    const expected = new Set<string>();
    src.forEach((u, i) => {
      const v = dst[i];
      if (u === v) return;
      expected.add(`${u}>${v}`);
      expected.add(`${v}>${u}`);
    });
    for (let v = 0; v < 40; v++) expected.add(`${v}>${v}`);
    expect(edgeSet(graph)).toEqual([...expected].sort());

    for (let v = 0; v < 40; v++) {
      const row = Array.from(graph.sources.subarray(graph.offsets[v], graph.offsets[v + 1]));
      expect(row.filter((u) => u === v)).toHaveLength(1);
    }
  });

  it('keeps input self-loops (once) and direction when asked not to symmetrise or add loops', () => {
    const graph = buildGraph(3, [0, 2, 2], [1, 2, 2], { symmetrise: false, selfLoops: false });
    expect(edgeSet(graph)).toEqual(['0>1', '2>2']);
  });

  it('sorts every row strictly ascending', () => {
    const rng = new Rng(11);
    const { src, dst } = randomEdges(rng, 25, 400);
    const graph = buildGraph(25, src, dst);
    expect(graph.offsets[0]).toBe(0);
    expect(graph.offsets[25]).toBe(graph.sources.length);
    for (let v = 0; v < 25; v++) {
      for (let e = graph.offsets[v] + 1; e < graph.offsets[v + 1]; e++) {
        expect(graph.sources[e]).toBeGreaterThan(graph.sources[e - 1]);
      }
    }
  });

  it('builds a graph with no edges: only the self-loops', () => {
    const graph = buildGraph(3, [], []);
    expect(edgeSet(graph)).toEqual(['0>0', '1>1', '2>2']);
  });

  it('names the first out-of-range edge', () => {
    expect(() => buildGraph(3, [0, 1, 5], [1, 2, 0])).toThrow(UserError);
    expect(() => buildGraph(3, [0, 1, 5], [1, 2, 0])).toThrow(/edge 2 \(5 → 0\) is out of range for 3 nodes/);
    expect(() => buildGraph(3, [0], [-1])).toThrow(/edge 0 \(0 → -1\)/);
    expect(() => buildGraph(3, [0.5], [1])).toThrow(UserError);
  });

  it('rejects mismatched edge arrays and bad node counts', () => {
    expect(() => buildGraph(3, [0, 1], [1])).toThrow(/2 edge sources but 1 edge targets/);
    expect(() => buildGraph(-1, [], [])).toThrow(/invalid node count -1/);
  });
});
