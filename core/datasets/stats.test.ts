import { describe, expect, it } from 'vitest';
import { buildGraph } from '../graph/build';
import { computeStats } from './stats';
import type { Dataset } from './types';

// Path 0–1–2–3 plus an isolated node 4; labels 0,0,1,1,2. With self-loops, in-degrees are 2,3,3,2,1.
const path = buildGraph(5, [0, 1, 2], [1, 2, 3]);
const pathData = { graph: path, features: new Float32Array(5 * 2), labels: Int32Array.from([0, 0, 1, 1, 2]) };

function dataset(overrides: Partial<Dataset>): Dataset {
  return { name: 'hand-made', task: 'multiclass', numFeatures: 2, numClasses: 3, graphs: [pathData], source: 'test', ...overrides };
}

describe('computeStats', () => {
  it('counts a hand-made graph', () => {
    expect(computeStats(dataset({}))).toEqual({
      name: 'hand-made',
      task: 'multiclass',
      graphs: 1,
      nodes: 5,
      edges: 11, // 3 undirected edges both ways + 5 self-loops
      features: 2,
      classes: 3,
      homophily: 4 / 6, // 0–1 and 2–3 join equal labels, 1–2 does not; each counted both ways
      degreeHistogram: { bucketEdges: [1, 2, 4], counts: [1, 4] },
      isolatedNodes: 1,
    });
  });

  it('sums over graphs', () => {
    // A star: centre 0 with 5 leaves, all label 0 → in-degrees 6,2,2,2,2,2.
    const star = buildGraph(6, [0, 0, 0, 0, 0], [1, 2, 3, 4, 5]);
    const starData = { graph: star, features: new Float32Array(12), labels: new Int32Array(6) };
    const stats = computeStats(dataset({ graphs: [pathData, starData] }));
    expect(stats.graphs).toBe(2);
    expect(stats.nodes).toBe(11);
    expect(stats.edges).toBe(11 + 16);
    expect(stats.homophily).toBeCloseTo((4 + 10) / (6 + 10), 12);
    expect(stats.degreeHistogram).toEqual({ bucketEdges: [1, 2, 4, 8], counts: [1, 9, 1] });
    expect(stats.isolatedNodes).toBe(1);
  });

  it('reports no homophily for multi-label data', () => {
    const multi = { graph: path, features: new Float32Array(10), labels: new Uint8Array(5 * 3) };
    expect(computeStats(dataset({ task: 'multilabel', graphs: [multi] })).homophily).toBeNull();
  });

  it('adds a zero-degree bucket for nodes without any incoming edge and counts them isolated', () => {
    // Directed 0→1 without self-loops: node 0 has in-degree 0, node 2 too.
    const bare = buildGraph(3, [0], [1], { symmetrise: false, selfLoops: false });
    const stats = computeStats(dataset({ graphs: [{ graph: bare, features: new Float32Array(6), labels: Int32Array.from([0, 0, 1]) }] }));
    expect(stats.degreeHistogram).toEqual({ bucketEdges: [0, 1, 2], counts: [2, 1] });
    expect(stats.isolatedNodes).toBe(2);
    expect(stats.homophily).toBe(1);
  });
});
