import { describe, expect, it } from 'vitest';
import { UserError } from '../errors';
import { datasetFromSpec, describeSpecs, parseDatasetSpec, specText } from './spec';

describe('parseDatasetSpec', () => {
  it('parses csbm specs, with the default feature width', () => {
    expect(parseDatasetSpec('csbm:2000:20000:5')).toEqual({ kind: 'csbm', nodes: 2000, edges: 20000, classes: 5, features: 128 });
    expect(parseDatasetSpec('csbm:100:300:4:16')).toEqual({ kind: 'csbm', nodes: 100, edges: 300, classes: 4, features: 16 });
  });

  it('parses ppi-like with and without sizes', () => {
    // plain ppi-like is calibrated to PPI's published totals (issue 17); sizes give the uniform layout
    expect(parseDatasetSpec('ppi-like')).toEqual({ kind: 'ppi-like', calibrated: 'ppi' });
    expect(parseDatasetSpec('ppi-like:24:300:3000:121')).toEqual({ kind: 'ppi-like', graphs: 24, nodesPerGraph: 300, edgesPerGraph: 3000, labels: 121, features: 50 });
    expect(parseDatasetSpec('ppi-like:6:50:200:10')).toEqual({ kind: 'ppi-like', graphs: 6, nodesPerGraph: 50, edgesPerGraph: 200, labels: 10, features: 50 });
    expect(parseDatasetSpec('ppi-like:6:50:200:10:8')).toMatchObject({ features: 8 });
  });

  it('returns null for things that are not generator specs', () => {
    expect(parseDatasetSpec('cora')).toBeNull();
    expect(parseDatasetSpec('data/cora.npz')).toBeNull();
    expect(parseDatasetSpec('csbmx:1:2:3')).toBeNull();
    expect(parseDatasetSpec('C:/data/ppi.npz')).toBeNull();
  });

  it.each([
    ['csbm:10:x:3', /dataset spec 'csbm:10:x:3': EDGES 'x' is not a whole number/],
    ['csbm:10:100:0', /'csbm:10:100:0': CLASSES must be at least 2, got 0/],
    ['csbm:3:10:5', /'csbm:3:10:5': CLASSES \(5\) cannot exceed NODES \(3\)/],
    ['csbm:10:100', /expected csbm:NODES:EDGES:CLASSES\[:FEATURES\], got 2 numbers/],
    ['csbm:10:100:2:0', /FEATURES must be at least 1, got 0/],
    ['csbm:10:-5:2', /EDGES '-5' is not a whole number/],
    ['csbm:1e3:100:2', /NODES '1e3' is not a whole number/],
    ['csbm:10::2', /EDGES '' is not a whole number/],
    ['ppi-like:24', /'ppi-like:24': expected ppi-like or ppi-like:GRAPHS:NODES:EDGES:LABELS\[:FEATURES\], got 1 numbers/],
    ['ppi-like:2:10:10:5', /GRAPHS must be at least 3/],
    ['ppi-like:4:10:10:0', /LABELS must be at least 1, got 0/],
  ])('rejects %s, quoting it', (text, problem) => {
    expect(() => parseDatasetSpec(text)).toThrow(UserError);
    expect(() => parseDatasetSpec(text)).toThrow(problem);
  });
});

describe('datasetFromSpec', () => {
  it('generates the named dataset, the same one every time by default', () => {
    const dataset = datasetFromSpec('csbm:200:600:4:8');
    expect(dataset.name).toBe('csbm:200:600:4:8');
    expect(dataset.graphs[0].graph.numNodes).toBe(200);
    expect(dataset.numFeatures).toBe(8);
    expect(dataset.numClasses).toBe(4);
    expect(datasetFromSpec('csbm:200:600:4:8').graphs[0]).toEqual(dataset.graphs[0]);
    expect(datasetFromSpec('csbm:200:600:4:8', 1).graphs[0].labels).not.toEqual(dataset.graphs[0].labels);
  });

  it('generates ppi-like data with its split', () => {
    const dataset = datasetFromSpec('ppi-like:4:20:40:6:3');
    expect(dataset.task).toBe('multilabel');
    expect(dataset.graphs).toHaveLength(4);
    expect(dataset.numClasses).toBe(6);
    expect(dataset.graphSplit).toEqual({ train: [0, 1], val: [2], test: [3] });
  });

  it('rejects a non-spec and a spec over the generator limits, quoting it', () => {
    expect(() => datasetFromSpec('cora')).toThrow(/dataset spec 'cora': not a synthetic dataset spec/);
    expect(() => datasetFromSpec('csbm:1000000000:10:2')).toThrow(/dataset spec 'csbm:1000000000:10:2': csbm: nodes must be/);
  });

  it('canonical text round-trips through the parser', () => {
    for (const text of ['csbm:2000:20000:5', 'csbm:10:20:3:7', 'ppi-like', 'ppi-like:24:300:3000:121', 'ppi-like:6:50:200:10', 'ppi-like:6:50:200:10:8']) {
      expect(specText(parseDatasetSpec(text)!)).toBe(text);
    }
    expect(specText(parseDatasetSpec('csbm:10:20:3:128')!)).toBe('csbm:10:20:3');
  });
});

describe('describeSpecs', () => {
  it('documents both grammars', () => {
    expect(describeSpecs()).toContain('csbm:NODES:EDGES:CLASSES[:FEATURES]');
    expect(describeSpecs()).toContain('ppi-like[:GRAPHS:NODES:EDGES:LABELS[:FEATURES]]');
  });
});

describe('csbm named parameters', () => {
  it('parses noise and homophily after the numbers and round-trips them', () => {
    expect(parseDatasetSpec('csbm:100:400:4:noise=5:homophily=0.6')).toEqual({
      kind: 'csbm',
      nodes: 100,
      edges: 400,
      classes: 4,
      features: 128,
      featureNoise: 5,
      homophily: 0.6,
    });
    expect(specText(parseDatasetSpec('csbm:100:400:4:16:noise=5')!)).toBe('csbm:100:400:4:16:noise=5');
    expect(specText(parseDatasetSpec('csbm:100:400:4:noise=5')!)).toBe('csbm:100:400:4:128:noise=5');
  });

  it('generates noisier features when asked', () => {
    const spread = (text: string) => {
      const d = datasetFromSpec(text);
      const x = d.graphs[0].features;
      let sumSq = 0;
      for (const v of x) sumSq += v * v;
      return sumSq / x.length;
    };
    // E[x²] = 1 (class mean) + noise²
    expect(spread('csbm:400:800:3:16:noise=5')).toBeGreaterThan(20);
    expect(spread('csbm:400:800:3:16')).toBeLessThan(7);
    expect(datasetFromSpec('csbm:400:800:3:16:noise=5').name).toBe('csbm:400:800:3:16:noise=5');
  });

  it('rejects unknown, malformed and misplaced parameters', () => {
    expect(() => parseDatasetSpec('csbm:100:400:4:noise=x')).toThrow(/noise: 'x' is not a number/);
    expect(() => parseDatasetSpec('csbm:100:400:4:colour=3')).toThrow(/unknown parameter 'colour'/);
    expect(() => parseDatasetSpec('csbm:100:400:4:homophily=2')).toThrow(/between 0 and 1/);
    expect(() => parseDatasetSpec('csbm:100:noise=2:400:4')).toThrow(/must come after the numbers/);
  });
});
