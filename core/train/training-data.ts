import * as tf from '@tensorflow/tfjs';
import type { RunConfig } from '../../contract/run-config';
import { batchGraphs } from '../graph/batch';
import type { CsrGraph } from '../graph/csr';
import type { Task } from '../../contract/api';
import type { Dataset, GraphSplit } from '../datasets/types';
import type { GraphData } from '../graph/graph-data';
import { refuseEmptySplit } from '../datasets/split-check';
import { graphLevelSplit, perClassSplit, ratioSplit } from '../datasets/splits';
import { UserError } from '../errors';
import type { Rng } from '../random';
import { fixedGroups, redrawnGroups } from './batch-plan';
import { inLocalityOrder, LOCALITY_MIN_NODES } from './locality';

/** One graph (or a block-diagonal batch of graphs) on the backend, with the nodes each split scores. */
export interface GraphBatch {
  graph: CsrGraph;
  features: tf.Tensor2D;
  labels: Int32Array | Uint8Array;
  /** nodes of this batch that belong to each split (all nodes of the batch for inductive data) */
  nodes: { train: Int32Array; val: Int32Array; test: Int32Array };
}

/**
 * Everything the trainer needs from a dataset, prepared once per run:
 * - transductive (one graph): a single batch; the loss uses the train nodes, metrics each split's nodes;
 * - inductive (several graphs): training batches of `batchGraphs` train graphs (fixed composition,
 *   visited in a shuffled order each epoch), plus one batch of all val graphs and one of all test graphs.
 */
export interface TrainingData {
  task: Task;
  numClasses: number;
  numFeatures: number;
  inductive: boolean;
  trainBatches: GraphBatch[];
  /** batches that the evaluation forwards (the single graph, or the train/val/test batches) */
  evalBatches: GraphBatch[];
  /** the batch and nodes on which alignment heatmaps are computed: the validation nodes */
  alignment: { batch: GraphBatch; nodes: Int32Array };
  /** counts for the run record */
  splitSizes: { train: number; val: number; test: number };
  /**
   * Multi-graph data with config redrawBatches (the authors' shuffled loader): each pass draws a
   * fresh grouping of the training graphs and joins each group into a batch when it is stepped on
   * (the batch's features tensor is then the caller's to dispose); null otherwise, where the
   * trainer steps on trainBatches.
   */
  redraw: { draw(rng: Rng): number[][]; join(graphs: readonly number[]): GraphBatch } | null;
  dispose(): void;
}

const EMPTY = new Int32Array(0);

export interface PrepareOptions {
  /** renumber the nodes of single graphs with at least this many nodes for locality (see locality.ts) [LOCALITY_MIN_NODES] */
  reorderFrom?: number;
}

export function prepareTrainingData(dataset: Dataset, config: RunConfig, splitRng: Rng, options: PrepareOptions = {}): TrainingData {
  if (dataset.graphs.length === 0) throw new UserError(`${dataset.name}: the dataset has no graphs`);
  return dataset.graphs.length === 1 ? transductive(dataset, config, splitRng, options) : inductive(dataset, config, splitRng);
}

function toBatch(data: GraphData, numFeatures: number, nodes: GraphBatch['nodes']): GraphBatch {
  const features = tf.tensor2d(data.features, [data.graph.numNodes, numFeatures]);
  return { graph: data.graph, features, labels: data.labels, nodes };
}

function transductive(dataset: Dataset, config: RunConfig, splitRng: Rng, options: PrepareOptions): TrainingData {
  const original = dataset.graphs[0];
  const n = original.graph.numNodes;
  let split;
  if (config.split.kind === 'per-class') {
    if (dataset.task !== 'multiclass') throw new UserError(`${dataset.name}: per-class splits need single-label classes; use a ratio split`);
    split = perClassSplit(original.labels as Int32Array, dataset.numClasses, splitRng, config.split.trainPerClass, config.split.valPerClass);
  } else {
    split = ratioSplit(n, splitRng, { train: config.split.train, val: config.split.val });
  }
  const sizes = { train: split.train.length, val: split.val.length, test: split.test.length };
  refuseEmptySplit(dataset.name, config.split, { unit: 'nodes', nodes: n, classes: dataset.numClasses }, sizes);
  // The split is drawn on the dataset's own node ids, then follows the nodes into the locality
  // order. Runs that draw dropout masks keep the dataset's order: a mask follows row positions, so
  // renumbered nodes would draw other masks (same law, other numbers).
  const reorder = n >= (options.reorderFrom ?? LOCALITY_MIN_NODES) && config.dropout === 0 && config.attentionDropout === 0;
  const { data, renumber } = reorder ? inLocalityOrder(original, dataset.numFeatures) : { data: original, renumber: (ids: Int32Array) => ids };
  const batch = toBatch(data, dataset.numFeatures, { train: renumber(split.train), val: renumber(split.val), test: renumber(split.test) });
  return {
    task: dataset.task,
    numClasses: dataset.numClasses,
    numFeatures: dataset.numFeatures,
    inductive: false,
    trainBatches: [batch],
    evalBatches: [batch],
    alignment: { batch, nodes: split.val.length > 0 ? batch.nodes.val : batch.nodes.test },
    splitSizes: { train: split.train.length, val: split.val.length, test: split.test.length },
    // one graph: every pass steps on the whole of it, so there is nothing to regroup
    redraw: null,
    dispose: () => batch.features.dispose(),
  };
}

function allNodes(n: number): Int32Array {
  const nodes = new Int32Array(n);
  for (let i = 0; i < n; i++) nodes[i] = i;
  return nodes;
}

/**
 * One block-diagonal batch of the dataset's graphs `indices`, every node scored by `role`; null when
 * there are none. Its features tensor is the caller's to dispose. (Redrawn training batches, config
 * redrawBatches, are built with it once per pass from core/train/batch-plan.ts's groups: TrainingData.redraw.)
 */
export function joinGraphs(dataset: Dataset, indices: readonly number[], role: 'train' | 'val' | 'test'): GraphBatch | null {
  if (indices.length === 0) return null;
  const { data } = batchGraphs(indices.map((i) => dataset.graphs[i]), dataset.numClasses, dataset.task);
  const nodes = { train: EMPTY, val: EMPTY, test: EMPTY, [role]: allNodes(data.graph.numNodes) };
  return toBatch(data, dataset.numFeatures, nodes);
}

function inductive(dataset: Dataset, config: RunConfig, splitRng: Rng): TrainingData {
  const graphSplit: GraphSplit =
    dataset.graphSplit ?? graphLevelSplit(dataset.graphs.length, splitRng, config.split.kind === 'ratio' ? config.split : { train: 0.8, val: 0.1 });
  const sizes = { train: graphSplit.train.length, val: graphSplit.val.length, test: graphSplit.test.length };
  refuseEmptySplit(dataset.name, config.split, { unit: 'graphs', graphs: dataset.graphs.length }, sizes);
  const join = (indices: number[], role: 'train' | 'val' | 'test') => joinGraphs(dataset, indices, role);
  const trainBatches = fixedGroups(graphSplit.train, config.batchGraphs).map((group) => join(group, 'train')!);
  const valBatch = join(graphSplit.val, 'val');
  const testBatch = join(graphSplit.test, 'test');
  const evalBatches = [...trainBatches, ...(valBatch ? [valBatch] : []), ...(testBatch ? [testBatch] : [])];
  const alignmentBatch = valBatch ?? testBatch ?? trainBatches[0];
  const count = (indices: number[]) => indices.reduce((sum, i) => sum + dataset.graphs[i].graph.numNodes, 0);
  return {
    task: dataset.task,
    numClasses: dataset.numClasses,
    numFeatures: dataset.numFeatures,
    inductive: true,
    trainBatches,
    evalBatches,
    alignment: { batch: alignmentBatch, nodes: allNodes(alignmentBatch.graph.numNodes) },
    splitSizes: { train: count(graphSplit.train), val: count(graphSplit.val), test: count(graphSplit.test) },
    redraw: config.redrawBatches
      ? { draw: (rng) => redrawnGroups(graphSplit.train, config.batchGraphs, rng), join: (graphs) => join([...graphs], 'train')! }
      : null,
    dispose: () => evalBatches.forEach((b) => b.features.dispose()),
  };
}
