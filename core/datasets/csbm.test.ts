import { describe, expect, it } from 'vitest';
import { UserError } from '../errors';
import { validateGraph } from '../graph/validate';
import { generateCsbm } from './csbm';

function measuredHomophily(dataset: ReturnType<typeof generateCsbm>): number {
  const { graph, labels } = dataset.graphs[0];
  let same = 0;
  let total = 0;
  for (let v = 0; v < graph.numNodes; v++) {
    for (let e = graph.offsets[v]; e < graph.offsets[v + 1]; e++) {
      const u = graph.sources[e];
      if (u === v) continue;
      total++;
      if (labels[u] === labels[v]) same++;
    }
  }
  return same / total;
}

describe('generateCsbm', () => {
  const nodes = 2000;
  const edges = 20000;
  const classes = 5;
  const dataset = generateCsbm({ nodes, edges, classes });
  const { graph, features, labels } = dataset.graphs[0];

  it('has the requested sizes, a valid symmetric graph with self-loops, and a canonical name', () => {
    expect(dataset.name).toBe('csbm:2000:20000:5');
    expect(dataset.task).toBe('multiclass');
    expect(dataset.numFeatures).toBe(128);
    expect(dataset.numClasses).toBe(5);
    expect(graph.numNodes).toBe(nodes);
    expect(features.length).toBe(nodes * 128);
    expect(labels).toBeInstanceOf(Int32Array);
    expect(labels.length).toBe(nodes);
    validateGraph(graph, 'csbm');
    const edgeKeys = new Set<number>();
    for (let v = 0; v < nodes; v++) {
      for (let e = graph.offsets[v]; e < graph.offsets[v + 1]; e++) edgeKeys.add(graph.sources[e] * nodes + v);
    }
    let missingSelfLoops = 0;
    for (let v = 0; v < nodes; v++) if (!edgeKeys.has(v * nodes + v)) missingSelfLoops++;
    let missingReverses = 0;
    for (const key of edgeKeys) if (!edgeKeys.has((key % nodes) * nodes + Math.floor(key / nodes))) missingReverses++;
    expect(missingSelfLoops).toBe(0);
    expect(missingReverses).toBe(0);
  });

  it('keeps nearly all drawn edges after symmetrising (few self-loops and duplicates at this density)', () => {
    // Each draw becomes two directed edges unless it is a self-loop or repeats a pair: ~2% here.
    const messageEdges = graph.sources.length;
    expect(messageEdges).toBeLessThanOrEqual(nodes + 2 * edges);
    expect(messageEdges).toBeGreaterThan(nodes + 2 * edges * 0.96);
  });

  it('has balanced classes', () => {
    const counts = new Array<number>(classes).fill(0);
    for (const label of labels) counts[label]++;
    const expected = nodes / classes;
    const sd = Math.sqrt(nodes * (1 / classes) * (1 - 1 / classes));
    for (const count of counts) expect(Math.abs(count - expected)).toBeLessThan(4 * sd);
  });

  it('measures the edge homophily the model implies: h + (1 − h)/classes', () => {
    expect(measuredHomophily(dataset)).toBeCloseTo(0.8 + 0.2 / classes, 1);
    expect(Math.abs(measuredHomophily(dataset) - (0.8 + 0.2 / classes))).toBeLessThan(0.015);
    const heterophilous = generateCsbm({ nodes, edges, classes, homophily: 0, features: 4 });
    expect(Math.abs(measuredHomophily(heterophilous) - 1 / classes)).toBeLessThan(0.015);
    const pure = generateCsbm({ nodes, edges, classes, homophily: 1, features: 4 });
    expect(measuredHomophily(pure)).toBe(1);
  });

  it('draws features as class mean N(0, 1) plus N(0, featureNoise²) noise', () => {
    const width = 128;
    const sums = new Float64Array(classes * width);
    const counts = new Float64Array(classes);
    for (let v = 0; v < nodes; v++) {
      counts[labels[v]]++;
      for (let f = 0; f < width; f++) sums[labels[v] * width + f] += features[v * width + f];
    }
    let residualSquares = 0;
    for (let v = 0; v < nodes; v++) {
      for (let f = 0; f < width; f++) {
        const residual = features[v * width + f] - sums[labels[v] * width + f] / counts[labels[v]];
        residualSquares += residual * residual;
      }
    }
    const noiseVariance = residualSquares / (nodes * width - classes * width);
    expect(noiseVariance).toBeGreaterThan(3.8);
    expect(noiseVariance).toBeLessThan(4.2);
    let meanSquares = 0;
    for (let i = 0; i < sums.length; i++) meanSquares += (sums[i] / counts[Math.floor(i / width)]) ** 2;
    // Estimated class means carry 4/400 of noise variance on top of their own variance 1.
    expect(meanSquares / sums.length).toBeGreaterThan(0.8);
    expect(meanSquares / sums.length).toBeLessThan(1.2);
  });

  it('is deterministic per seed, differs across seeds, and keeps labels and features when only edges change', () => {
    const again = generateCsbm({ nodes: 300, edges: 1000, classes: 3, features: 16, seed: 4 });
    const same = generateCsbm({ nodes: 300, edges: 1000, classes: 3, features: 16, seed: 4 });
    const other = generateCsbm({ nodes: 300, edges: 1000, classes: 3, features: 16, seed: 5 });
    const moreEdges = generateCsbm({ nodes: 300, edges: 2000, classes: 3, features: 16, seed: 4 });
    expect(same.graphs[0]).toEqual(again.graphs[0]);
    expect(other.graphs[0].labels).not.toEqual(again.graphs[0].labels);
    expect(other.graphs[0].graph.sources).not.toEqual(again.graphs[0].graph.sources);
    expect(moreEdges.graphs[0].labels).toEqual(again.graphs[0].labels);
    expect(moreEdges.graphs[0].features).toEqual(again.graphs[0].features);
  });

  it('rejects bad options, naming the parameter', () => {
    const base = { nodes: 100, edges: 200, classes: 3 };
    expect(() => generateCsbm({ ...base, nodes: 0 })).toThrow(UserError);
    expect(() => generateCsbm({ ...base, nodes: 10.5 })).toThrow(/nodes must be an integer/);
    expect(() => generateCsbm({ ...base, edges: -1 })).toThrow(/edges must be/);
    expect(() => generateCsbm({ ...base, classes: 101 })).toThrow(/classes must be an integer from 1 to 100, got 101/);
    expect(() => generateCsbm({ ...base, features: 0 })).toThrow(/features must be/);
    expect(() => generateCsbm({ ...base, homophily: 1.5 })).toThrow(/homophily must be in \[0, 1\], got 1.5/);
    expect(() => generateCsbm({ ...base, featureNoise: Number.NaN })).toThrow(/featureNoise/);
    expect(() => generateCsbm({ ...base, seed: -1 })).toThrow(/seed must be/);
  });
});
