import { describe, expect, it } from 'vitest';
import { UserError } from '../errors';
import { Rng } from '../random';
import { graphLevelSplit, perClassSplit, ratioSplit } from './splits';
import type { NodeSplit } from './types';

function labelsWithClassSizes(sizes: number[], rng: Rng): Int32Array {
  const labels = Int32Array.from(sizes.flatMap((size, k) => new Array<number>(size).fill(k)));
  rng.shuffle(labels);
  return labels;
}

function expectPartition(split: NodeSplit, numNodes: number): void {
  const all = [...split.train, ...split.val, ...split.test].sort((a, b) => a - b);
  expect(all).toEqual(Array.from({ length: numNodes }, (_, i) => i));
  for (const part of [split.train, split.val, split.test]) {
    expect(part).toBeInstanceOf(Int32Array);
    for (let i = 1; i < part.length; i++) expect(part[i]).toBeGreaterThan(part[i - 1]);
  }
}

const countByClass = (indices: Int32Array, labels: Int32Array, numClasses: number) => {
  const counts = new Array<number>(numClasses).fill(0);
  for (const i of indices) counts[labels[i]]++;
  return counts;
};

describe('perClassSplit', () => {
  const labels = labelsWithClassSizes([120, 80, 200], new Rng(1));

  it('takes 20 training and 30 validation nodes per class and leaves the rest for testing', () => {
    const split = perClassSplit(labels, 3, new Rng(42));
    expectPartition(split, labels.length);
    expect(countByClass(split.train, labels, 3)).toEqual([20, 20, 20]);
    expect(countByClass(split.val, labels, 3)).toEqual([30, 30, 30]);
    expect(countByClass(split.test, labels, 3)).toEqual([70, 30, 150]);
  });

  it('honours other per-class sizes', () => {
    const split = perClassSplit(labels, 3, new Rng(42), 5, 10);
    expect(countByClass(split.train, labels, 3)).toEqual([5, 5, 5]);
    expect(countByClass(split.val, labels, 3)).toEqual([10, 10, 10]);
  });

  it('is deterministic per seed and differs across seeds', () => {
    expect(perClassSplit(labels, 3, new Rng(7))).toEqual(perClassSplit(labels, 3, new Rng(7)));
    expect(perClassSplit(labels, 3, new Rng(8)).train).not.toEqual(perClassSplit(labels, 3, new Rng(7)).train);
  });

  it('gives a small class what it has: training first, then validation, no test nodes', () => {
    const small = labelsWithClassSizes([100, 35, 10], new Rng(2));
    const split = perClassSplit(small, 3, new Rng(3));
    expectPartition(split, small.length);
    expect(countByClass(split.train, small, 3)).toEqual([20, 20, 10]);
    expect(countByClass(split.val, small, 3)).toEqual([30, 15, 0]);
    expect(countByClass(split.test, small, 3)).toEqual([50, 0, 0]);
  });

  it('rejects labels outside the class range and bad sizes', () => {
    expect(() => perClassSplit(Int32Array.from([0, 3, 1]), 3, new Rng(0))).toThrow(UserError);
    expect(() => perClassSplit(Int32Array.from([0, 3, 1]), 3, new Rng(0))).toThrow(/node 1 has label 3, outside 0..2/);
    expect(() => perClassSplit(labels, 3, new Rng(0), 0)).toThrow(/train per class/);
    expect(() => perClassSplit(labels, 3, new Rng(0), 20, -1)).toThrow(/validation per class/);
  });
});

describe('ratioSplit', () => {
  it('splits by rounded fractions into a sorted partition', () => {
    const split = ratioSplit(1000, new Rng(5), { train: 0.6, val: 0.2 });
    expectPartition(split, 1000);
    expect([split.train.length, split.val.length, split.test.length]).toEqual([600, 200, 200]);
    expect(ratioSplit(1000, new Rng(5), { train: 0.6, val: 0.2 })).toEqual(split);
    expect(ratioSplit(1000, new Rng(6), { train: 0.6, val: 0.2 }).train).not.toEqual(split.train);
  });

  it('allows an empty test set when the fractions sum to 1', () => {
    const split = ratioSplit(10, new Rng(0), { train: 0.7, val: 0.3 });
    expect([split.train.length, split.val.length, split.test.length]).toEqual([7, 3, 0]);
  });

  it.each([
    [{ train: 0, val: 0.2 }, /train fraction must be in \(0, 1\], got 0/],
    [{ train: 1.2, val: 0 }, /train fraction/],
    [{ train: 0.5, val: -0.1 }, /validation fraction must be in \[0, 1\)/],
    [{ train: 0.7, val: 0.4 }, /train \+ validation fractions exceed 1 \(0.7 \+ 0.4\)/],
    [{ train: Number.NaN, val: 0.1 }, /train fraction/],
  ])('rejects %o', (fractions, problem) => {
    expect(() => ratioSplit(100, new Rng(0), fractions)).toThrow(UserError);
    expect(() => ratioSplit(100, new Rng(0), fractions)).toThrow(problem);
  });
});

describe('graphLevelSplit', () => {
  it('splits graphs by fractions into a sorted partition', () => {
    const split = graphLevelSplit(24, new Rng(1), { train: 20 / 24, val: 2 / 24 });
    expect([split.train.length, split.val.length, split.test.length]).toEqual([20, 2, 2]);
    expect([...split.train, ...split.val, ...split.test].sort((a, b) => a - b)).toEqual(Array.from({ length: 24 }, (_, i) => i));
    for (const part of [split.train, split.val, split.test]) expect(part).toEqual([...part].sort((a, b) => a - b));
    expect(graphLevelSplit(24, new Rng(1), { train: 20 / 24, val: 2 / 24 })).toEqual(split);
    expect(graphLevelSplit(24, new Rng(2), { train: 20 / 24, val: 2 / 24 })).not.toEqual(split);
  });

  it('keeps at least one graph in every part with a positive fraction', () => {
    const split = graphLevelSplit(3, new Rng(0), { train: 0.8, val: 0.1 });
    expect([split.train.length, split.val.length, split.test.length]).toEqual([1, 1, 1]);
    const tilted = graphLevelSplit(3, new Rng(0), { train: 0.1, val: 0.45 });
    expect([tilted.train.length, tilted.val.length, tilted.test.length]).toEqual([1, 1, 1]);
    const noTest = graphLevelSplit(4, new Rng(0), { train: 0.5, val: 0.5 });
    expect([noTest.train.length, noTest.val.length, noTest.test.length]).toEqual([2, 2, 0]);
  });

  it('rejects too few graphs for the parts asked for', () => {
    expect(() => graphLevelSplit(2, new Rng(0), { train: 0.8, val: 0.1 })).toThrow(/2 graphs cannot fill 3 non-empty parts/);
  });
});
