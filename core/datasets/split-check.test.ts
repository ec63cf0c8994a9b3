import { describe, expect, it } from 'vitest';
import { Rng } from '../random';
import { refuseEmptySplit, specSplit, type RunSplit } from './split-check';
import { datasetFromSpec } from './spec';
import { graphLevelSplit, perClassSplit, ratioSplit } from './splits';

/** The split sizes a spec will give, computed from its labels alone, against generating it and drawing the split. */
describe('specSplit', () => {
  const splits: RunSplit[] = [
    { kind: 'per-class', trainPerClass: 20, valPerClass: 30 },
    { kind: 'per-class', trainPerClass: 3, valPerClass: 0 },
    { kind: 'ratio', train: 0.6, val: 0.2 },
    { kind: 'ratio', train: 0.05, val: 0.01 },
  ];
  const specs = ['csbm:20:100:2:8', 'csbm:97:300:3:4', 'csbm:400:1000:7:4:noise=5', 'csbm:13:20:5:2'];

  it.each(specs)('gives the sizes of the real split of %s', (spec) => {
    const dataset = datasetFromSpec(spec);
    const labels = dataset.graphs[0].labels as Int32Array;
    for (const split of splits) {
      const real =
        split.kind === 'per-class'
          ? perClassSplit(labels, dataset.numClasses, new Rng(1), split.trainPerClass, split.valPerClass)
          : ratioSplit(labels.length, new Rng(1), split);
      expect(specSplit(spec, split)?.sizes).toEqual({ train: real.train.length, val: real.val.length, test: real.test.length });
    }
  });

  it('knows the demo dataset and ppi-like specs, and nothing else', () => {
    expect(specSplit('demo', splits[0])?.shape).toEqual({ unit: 'nodes', nodes: 3000, classes: 6 });
    expect(specSplit('ppi-like:5:30:60:4', splits[0])).toEqual({ shape: { unit: 'graphs', graphs: 5 }, sizes: { train: 3, val: 1, test: 1 } });
    expect(specSplit('cora', splits[0])).toBeNull();
    expect(specSplit('/data/graph.npz', splits[0])).toBeNull();
  });
});

describe('refuseEmptySplit', () => {
  const shape = { unit: 'nodes', nodes: 10, classes: 2 } as const;
  it('names every empty part the split needs, and nothing when all are there', () => {
    const perClass: RunSplit = { kind: 'per-class', trainPerClass: 5, valPerClass: 5 };
    expect(() => refuseEmptySplit('d', perClass, shape, { train: 10, val: 0, test: 0 })).toThrow(
      'd: the split leaves no validation and no test nodes: a per-class split (5 train + 5 validation nodes per class) of 10 nodes in 2 classes gives 10 train / 0 validation / 0 test; use a larger dataset or a smaller split',
    );
    expect(() => refuseEmptySplit('d', perClass, shape, { train: 0, val: 5, test: 5 })).toThrow(/leaves no training nodes: /);
    expect(() => refuseEmptySplit('d', { kind: 'ratio', train: 0.9, val: 0 }, shape, { train: 10, val: 0, test: 0 })).toThrow(/leaves no test nodes: /);
    expect(() => refuseEmptySplit('d', perClass, shape, { train: 4, val: 3, test: 3 })).not.toThrow();
    // no test items: the run trains, selects on validation and reports no test metric
    expect(() => refuseEmptySplit('d', perClass, shape, { train: 5, val: 5, test: 0 })).not.toThrow();
  });

  it('accepts no validation items when the split asks for none', () => {
    expect(() => refuseEmptySplit('d', { kind: 'ratio', train: 0.5, val: 0 }, shape, { train: 5, val: 0, test: 5 })).not.toThrow();
    expect(() => refuseEmptySplit('d', { kind: 'per-class', trainPerClass: 5, valPerClass: 0 }, shape, { train: 5, val: 0, test: 5 })).not.toThrow();
  });

  it('speaks of graphs for multi-graph data', () => {
    const split = graphLevelSplit(3, new Rng(0), { train: 0.8, val: 0.1 });
    const sizes = { train: split.train.length, val: 0, test: split.test.length };
    expect(() => refuseEmptySplit('g', { kind: 'ratio', train: 0.8, val: 0.1 }, { unit: 'graphs', graphs: 3 }, sizes)).toThrow(
      /^g: the split leaves no validation graphs: the graph split of 3 graphs gives 1 train \/ 0 validation \/ 1 test/,
    );
  });
});
