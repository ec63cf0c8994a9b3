import { describe, expect, it } from 'vitest';
import { generatePpiLike } from '../datasets/ppi-like';
import { Rng } from '../random';
import { fixedGroups, redrawnGroups } from './batch-plan';
import { joinGraphs } from './training-data';

const TWENTY = Array.from({ length: 20 }, (_, i) => i);
const pairKey = (group: number[]) => [...group].sort((a, b) => a - b).join('+');

describe('training batch groups', () => {
  it('fixed: consecutive groups in the dataset order, the last one shorter', () => {
    expect(fixedGroups([4, 5, 6, 7, 8], 2)).toEqual([[4, 5], [6, 7], [8]]);
    expect(fixedGroups(TWENTY, 2)).toHaveLength(10);
    expect(() => fixedGroups(TWENTY, 0)).toThrow(/graphs per batch must be an integer ≥ 1, got 0/);
  });

  it('redrawn: every pass holds each graph exactly once, in groups of the batch size', () => {
    const rng = new Rng(1);
    for (let pass = 0; pass < 5; pass++) {
      const groups = redrawnGroups(TWENTY, 2, rng);
      expect(groups.map((g) => g.length)).toEqual(new Array(10).fill(2));
      expect(groups.flat().sort((a, b) => a - b)).toEqual(TWENTY);
    }
    expect(redrawnGroups([1, 2, 3], 2, new Rng(2)).map((g) => g.length)).toEqual([2, 1]);
  });

  it('redrawn: passes differ, graphs meet many partners, and one seed gives one sequence', () => {
    const draw = (seed: number, passes: number) => {
      const rng = new Rng(seed);
      return Array.from({ length: passes }, () => redrawnGroups(TWENTY, 2, rng));
    };
    const run = draw(3, 30);
    expect(run[1].map(pairKey)).not.toEqual(run[0].map(pairKey));
    // 30 passes × 10 pairs out of 190 possible pairs: fixed batches would only ever see 10 of them
    expect(new Set(run.flat().map(pairKey)).size).toBeGreaterThan(100);
    expect(new Set(fixedGroups(TWENTY, 2).map(pairKey)).size).toBe(10);
    expect(draw(3, 30)).toEqual(run);
    expect(draw(4, 1)).not.toEqual(run.slice(0, 1));
  });
});

describe('a redrawn group as a training batch', () => {
  it('joins exactly its graphs, every node a training node', () => {
    const dataset = generatePpiLike({ graphs: 6, nodesPerGraph: 10, edgesPerGraph: 20, labels: 3, features: 2 });
    const [group] = redrawnGroups([0, 1, 2, 3], 2, new Rng(5));
    const batch = joinGraphs(dataset, group, 'train')!;
    const nodes = group.reduce((n, g) => n + dataset.graphs[g].graph.numNodes, 0);
    expect(batch.graph.numNodes).toBe(nodes);
    expect(batch.features.shape).toEqual([nodes, 2]);
    expect(batch.nodes.train).toHaveLength(nodes);
    expect(batch.nodes.val).toHaveLength(0);
    expect(Array.from(batch.labels.slice(0, 3 * 10))).toEqual(Array.from(dataset.graphs[group[0]].labels));
    batch.features.dispose();
    expect(joinGraphs(dataset, [], 'train')).toBeNull();
  });
});
