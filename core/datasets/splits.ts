import { UserError } from '../errors';
import type { Rng } from '../random';
import type { GraphSplit, NodeSplit } from './types';

export interface SplitFractions {
  /** fraction of items for training, in (0, 1] */
  train: number;
  /** fraction for validation, in [0, 1); train + val ≤ 1, the rest is the test set */
  val: number;
}

/**
 * The gnn-benchmark split: per class, `trainPerClass` random nodes for training, the next
 * `valPerClass` for validation, the rest for testing. A class with fewer than trainPerClass +
 * valPerClass nodes gives what it has, training first: its validation share may be short and it
 * then contributes no test nodes. Classes are drawn in order 0..numClasses−1 from `rng`, so a seed
 * names one split. Each index array is sorted ascending.
 */
export function perClassSplit(
  labels: Int32Array,
  numClasses: number,
  rng: Rng,
  trainPerClass = 20,
  valPerClass = 30,
): NodeSplit {
  if (!Number.isInteger(trainPerClass) || trainPerClass < 1) throw new UserError(`split: train per class must be a positive integer, got ${trainPerClass}`);
  if (!Number.isInteger(valPerClass) || valPerClass < 0) throw new UserError(`split: validation per class must be a non-negative integer, got ${valPerClass}`);
  const classStart = new Int32Array(numClasses + 1);
  for (let v = 0; v < labels.length; v++) {
    const label = labels[v];
    if (!(label >= 0 && label < numClasses)) throw new UserError(`split: node ${v} has label ${label}, outside 0..${numClasses - 1}`);
    classStart[label + 1]++;
  }
  for (let k = 0; k < numClasses; k++) classStart[k + 1] += classStart[k];
  const byClass = new Int32Array(labels.length);
  const fill = classStart.slice(0, numClasses);
  for (let v = 0; v < labels.length; v++) byClass[fill[labels[v]]++] = v;

  const train: number[] = [];
  const val: number[] = [];
  const test: number[] = [];
  for (let k = 0; k < numClasses; k++) {
    const members = byClass.subarray(classStart[k], classStart[k + 1]);
    rng.shuffle(members);
    members.forEach((node, i) => (i < trainPerClass ? train : i < trainPerClass + valPerClass ? val : test).push(node));
  }
  return { train: sortedIndices(train), val: sortedIndices(val), test: sortedIndices(test) };
}

/** How many items each part of a split holds. */
export interface SplitSizes {
  train: number;
  val: number;
  test: number;
}

/** The sizes perClassSplit gives for classes of these sizes: computed without drawing it (it depends on the counts only). */
export function perClassSplitSizes(classCounts: readonly number[], trainPerClass: number, valPerClass: number): SplitSizes {
  const sizes = { train: 0, val: 0, test: 0 };
  for (const count of classCounts) {
    const train = Math.min(count, trainPerClass);
    const val = Math.min(count - train, valPerClass);
    sizes.train += train;
    sizes.val += val;
    sizes.test += count - train - val;
  }
  return sizes;
}

/**
 * A random split of all nodes by fractions: round(train·n) training nodes (at least one),
 * round(val·n) validation nodes, the rest test. Each index array is sorted ascending.
 */
export function ratioSplit(numNodes: number, rng: Rng, fractions: SplitFractions): NodeSplit {
  const { train: trainCount, val: valCount } = ratioSplitSizes(numNodes, fractions);
  const order = permutation(numNodes, rng);
  return {
    train: sortedIndices(order.subarray(0, trainCount)),
    val: sortedIndices(order.subarray(trainCount, trainCount + valCount)),
    test: sortedIndices(order.subarray(trainCount + valCount)),
  };
}

/** The sizes ratioSplit gives for `numNodes` nodes. */
export function ratioSplitSizes(numNodes: number, fractions: SplitFractions): SplitSizes {
  checkFractions(fractions);
  const train = Math.min(numNodes, Math.max(1, Math.round(fractions.train * numNodes)));
  const val = Math.min(Math.round(fractions.val * numNodes), numNodes - train);
  return { train, val, test: numNodes - train - val };
}

/**
 * A random split of whole graphs, for multi-graph data that ships no split. Like ratioSplit, but
 * any part with a positive fraction gets at least one graph (taken from training, which keeps at
 * least one), because an empty validation or test set of graphs would make the run meaningless.
 */
export function graphLevelSplit(numGraphs: number, rng: Rng, fractions: SplitFractions): GraphSplit {
  checkFractions(fractions);
  const testFraction = 1 - fractions.train - fractions.val;
  const minimum = { train: 1, val: fractions.val > 0 ? 1 : 0, test: testFraction > 1e-9 ? 1 : 0 };
  const needed = minimum.train + minimum.val + minimum.test;
  if (numGraphs < needed) throw new UserError(`split: ${numGraphs} graphs cannot fill ${needed} non-empty parts`);
  let trainCount = Math.max(minimum.train, Math.round(fractions.train * numGraphs));
  let valCount = Math.max(minimum.val, Math.round(fractions.val * numGraphs));
  // Rounding and the minimums can overdraw; give back from the larger of train and validation.
  while (numGraphs - trainCount - valCount < minimum.test) {
    if (trainCount - minimum.train >= valCount - minimum.val) trainCount--;
    else valCount--;
  }
  const order = Array.from(permutation(numGraphs, rng));
  const sorted = (items: number[]) => items.sort((a, b) => a - b);
  return {
    train: sorted(order.slice(0, trainCount)),
    val: sorted(order.slice(trainCount, trainCount + valCount)),
    test: sorted(order.slice(trainCount + valCount)),
  };
}

function checkFractions({ train, val }: SplitFractions): void {
  if (!(train > 0 && train <= 1)) throw new UserError(`split: train fraction must be in (0, 1], got ${train}`);
  if (!(val >= 0 && val < 1)) throw new UserError(`split: validation fraction must be in [0, 1), got ${val}`);
  if (train + val > 1 + 1e-9) throw new UserError(`split: train + validation fractions exceed 1 (${train} + ${val})`);
}

function permutation(count: number, rng: Rng): Int32Array {
  const order = new Int32Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  rng.shuffle(order);
  return order;
}

function sortedIndices(indices: ArrayLike<number>): Int32Array {
  return Int32Array.from(indices).sort();
}
