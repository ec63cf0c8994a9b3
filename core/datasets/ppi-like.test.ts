import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { UserError } from '../errors';
import { validateGraph } from '../graph/validate';
import { generatePpiLike, PPI_TOTALS, shareOut } from './ppi-like';
import type { GraphData } from '../graph/graph-data';
import type { Dataset } from './types';

/** Mean of each node's features over its incoming edges (self-loop included): one round of message passing. */
function neighbourhoodMean(part: GraphData, width: number): Float64Array {
  const { graph, features } = part;
  const out = new Float64Array(graph.numNodes * width);
  for (let v = 0; v < graph.numNodes; v++) {
    const degree = graph.offsets[v + 1] - graph.offsets[v];
    for (let e = graph.offsets[v]; e < graph.offsets[v + 1]; e++) {
      const u = graph.sources[e];
      for (let f = 0; f < width; f++) out[v * width + f] += features[u * width + f] / degree;
    }
  }
  return out;
}

/**
 * Micro-F1 on the test graphs of a k-nearest-neighbour vote over training-graph nodes, in the given
 * node representation. A stand-in for "a model can learn this" that needs no training loop.
 */
function knnMicroF1(dataset: Dataset, represent: (part: GraphData) => ArrayLike<number>, k = 15): number {
  const width = dataset.numFeatures;
  const labelCount = dataset.numClasses;
  const split = dataset.graphSplit!;
  const train = split.train.map((g) => ({ part: dataset.graphs[g], x: represent(dataset.graphs[g]) }));
  let truePositives = 0;
  let falsePositives = 0;
  let falseNegatives = 0;
  for (const g of split.test) {
    const part = dataset.graphs[g];
    const x = represent(part);
    for (let v = 0; v < part.graph.numNodes; v++) {
      const candidates: { distance: number; labels: Uint8Array; node: number }[] = [];
      for (const t of train) {
        for (let w = 0; w < t.part.graph.numNodes; w++) {
          let distance = 0;
          for (let f = 0; f < width; f++) distance += (x[v * width + f] - t.x[w * width + f]) ** 2;
          candidates.push({ distance, labels: t.part.labels as Uint8Array, node: w });
        }
      }
      candidates.sort((a, b) => a.distance - b.distance);
      for (let l = 0; l < labelCount; l++) {
        let votes = 0;
        for (let i = 0; i < k; i++) votes += candidates[i].labels[candidates[i].node * labelCount + l];
        const predicted = votes * 3 > k;
        const actual = part.labels[v * labelCount + l] === 1;
        if (predicted && actual) truePositives++;
        else if (predicted) falsePositives++;
        else if (actual) falseNegatives++;
      }
    }
  }
  return (2 * truePositives) / (2 * truePositives + falsePositives + falseNegatives);
}

describe('generatePpiLike', () => {
  it("is calibrated to PPI's published totals by default: 24 graphs, 56,944 nodes, 818,716 edges, 20/2/2 split", () => {
    const dataset = generatePpiLike();
    expect(dataset.name).toBe('ppi-like');
    expect(dataset.task).toBe('multilabel');
    expect(dataset.numFeatures).toBe(PPI_TOTALS.features);
    expect(dataset.numClasses).toBe(PPI_TOTALS.labels);
    expect(dataset.graphs).toHaveLength(24);
    const range = (start: number, count: number) => Array.from({ length: count }, (_, i) => start + i);
    expect(dataset.graphSplit).toEqual({ train: range(0, 20), val: [20, 21], test: [22, 23] });
    const nodesOf = (graphs: number[]) => graphs.reduce((n, g) => n + dataset.graphs[g].graph.numNodes, 0);
    const split = dataset.graphSplit!;
    expect([nodesOf(split.train), nodesOf(split.val), nodesOf(split.test)]).toEqual([44_906, 6_514, 5_524]);
    let pairs = 0;
    let positives = 0;
    let cells = 0;
    dataset.graphs.forEach((part, g) => {
      validateGraph(part.graph, `graph ${g}`);
      const n = part.graph.numNodes;
      let selfLoops = 0;
      for (let v = 0; v < n; v++) for (let e = part.graph.offsets[v]; e < part.graph.offsets[v + 1]; e++) selfLoops += Number(part.graph.sources[e] === v);
      expect(selfLoops).toBe(n);
      pairs += (part.graph.sources.length - n) / 2;
      expect(part.features.length).toBe(n * 50);
      expect(part.labels.length).toBe(n * 121);
      for (const x of part.labels) positives += x;
      cells += part.labels.length;
    });
    // edges are undirected neighbour pairs, self-loops not counted (mean degree 2 · 818,716 / 56,944 = 28.8)
    expect(pairs).toBe(818_716);
    expect(nodesOf(range(0, 24))).toBe(56_944);
    // graphs differ in size, as PPI's do
    const sizes = dataset.graphs.map((part) => part.graph.numNodes);
    expect(Math.max(...sizes) / Math.min(...sizes)).toBeGreaterThan(1.5);
    // PPI's label density, 31% positive cells (expected; the draw's own noise is ~2e-4)
    expect(Math.abs(positives / cells - PPI_TOTALS.positiveRate)).toBeLessThan(0.01);
  });

  it('keeps the uniform layout for explicit sizes: every graph the same size', () => {
    const dataset = generatePpiLike({ graphs: 24, nodesPerGraph: 300, edgesPerGraph: 3000, labels: 121, features: 50 });
    expect(dataset.name).toBe('ppi-like:24:300:3000:121');
    dataset.graphs.forEach((part, g) => {
      validateGraph(part.graph, `graph ${g}`);
      expect(part.graph.numNodes).toBe(300);
      expect(part.labels.every((x) => x === 0 || x === 1)).toBe(true);
      // symmetrised 3000 draws plus self-loops, minus repeats (common: draws concentrate in communities)
      expect(part.graph.sources.length).toBeGreaterThan(300 + 2 * 3000 * 0.75);
      expect(part.graph.sources.length).toBeLessThanOrEqual(300 + 2 * 3000);
    });
  });

  it('names the same uniform data as before the calibrated default existed (pinned digests)', () => {
    const digest = (dataset: Dataset) => {
      const hash = createHash('sha256');
      for (const { graph, features, labels } of dataset.graphs) {
        for (const array of [graph.offsets, graph.sources, features, labels]) hash.update(Buffer.from(array.buffer, array.byteOffset, array.byteLength));
      }
      return hash.digest('hex');
    };
    expect(digest(generatePpiLike({ graphs: 4, nodesPerGraph: 20, edgesPerGraph: 40, labels: 6, features: 3 }))).toBe(
      '46ec4d0f07ab8278ba72940d95e15c0a9c56d11ab36f37f33dbea520b1a8418e',
    );
    expect(digest(generatePpiLike({ graphs: 5, nodesPerGraph: 60, edgesPerGraph: 300, labels: 12, features: 10, seed: 2 }))).toBe(
      'd642c17ced482b3ce1ff079ce385e7fb95946e39ad768ced346c23a3afdabe3f',
    );
  });

  it('shares totals out exactly', () => {
    expect(shareOut(10, [1, 1, 1])).toEqual([4, 3, 3]);
    expect(shareOut(818_716, [3, 1, 2, 7]).reduce((a, b) => a + b, 0)).toBe(818_716);
    expect(shareOut(5, [0.2, 0.8])).toEqual([1, 4]);
  });

  it('scales the split to the graph count, keeping at least one validation and one test graph', () => {
    const sizes = (graphs: number) => {
      const split = generatePpiLike({ graphs, nodesPerGraph: 4, edgesPerGraph: 4, labels: 2, features: 2 }).graphSplit!;
      return [split.train.length, split.val.length, split.test.length];
    };
    expect(sizes(3)).toEqual([1, 1, 1]);
    expect(sizes(12)).toEqual([10, 1, 1]);
    expect(sizes(48)).toEqual([40, 4, 4]);
  });

  it('has labels that neither are constant nor ignore the data: neighbourhoods predict them best', () => {
    const dataset = generatePpiLike({ graphs: 6, nodesPerGraph: 150, edgesPerGraph: 1500, labels: 30, features: 50 });
    let positives = 0;
    let total = 0;
    for (const part of dataset.graphs) {
      for (const x of part.labels) positives += x;
      total += part.labels.length;
    }
    const rate = positives / total;
    expect(rate).toBeGreaterThan(0.1);
    expect(rate).toBeLessThan(0.6);

    const allOnesF1 = (2 * rate) / (1 + rate); // the best constant predictor of micro-F1
    const ownFeatures = knnMicroF1(dataset, (part) => part.features);
    const withNeighbours = knnMicroF1(dataset, (part) => neighbourhoodMean(part, dataset.numFeatures));
    expect(withNeighbours).toBeGreaterThan(allOnesF1 + 0.05);
    expect(withNeighbours).toBeGreaterThan(ownFeatures + 0.03);
  });

  it('is deterministic per seed and differs across seeds', () => {
    const options = { graphs: 3, nodesPerGraph: 20, edgesPerGraph: 40, labels: 5, features: 4 };
    const a = generatePpiLike({ ...options, seed: 1 });
    expect(generatePpiLike({ ...options, seed: 1 }).graphs).toEqual(a.graphs);
    expect(generatePpiLike({ ...options, seed: 2 }).graphs[0].features).not.toEqual(a.graphs[0].features);
  });

  it('rejects bad options, naming the parameter', () => {
    expect(() => generatePpiLike({ graphs: 2 })).toThrow(UserError);
    expect(() => generatePpiLike({ graphs: 2 })).toThrow(/graphs must be an integer from 3/);
    expect(() => generatePpiLike({ nodesPerGraph: 1 })).toThrow(/nodesPerGraph/);
    expect(() => generatePpiLike({ edgesPerGraph: -5 })).toThrow(/edgesPerGraph/);
    expect(() => generatePpiLike({ labels: 0 })).toThrow(/labels must be/);
    expect(() => generatePpiLike({ features: 1.5 })).toThrow(/features must be/);
  });
});
