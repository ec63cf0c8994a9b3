import * as tf from '@tensorflow/tfjs';
import type { Task } from '../../contract/api';
import { UserError } from '../errors';
import type { Labels } from '../graph/graph-data';

/**
 * Task losses (differentiable, on tensors) and metrics (on downloaded logits) for the two tasks:
 * multiclass — softmax cross-entropy and accuracy; multilabel — mean binary cross-entropy with
 * logits and micro-F1 with a threshold on the logits (0 ⇔ probability 0.5, the PPI convention).
 *
 * Labels follow GraphData: multiclass Int32Array [N]; multilabel Uint8Array [N × C] row-major.
 * `nodes` lists the rows that count (a split); losses and metrics are means over them.
 */


/** Checks that `nodes` is non-empty and indexes rows of an N-row array; UserError names the culprit. */
export function checkNodeIndices(what: string, nodes: Int32Array, numNodes: number): void {
  if (nodes.length === 0) throw new UserError(`${what}: the node set is empty`);
  for (let i = 0; i < nodes.length; i++) {
    const v = nodes[i];
    if (!(v >= 0 && v < numNodes)) {
      throw new UserError(`${what}: node index ${v} (position ${i}) is out of range for ${numNodes} nodes`);
    }
  }
}

function checkMulticlassLabels(what: string, labels: Labels, nodes: Int32Array, numClasses: number): void {
  if (!(labels instanceof Int32Array)) throw new UserError(`${what}: multiclass labels must be one Int32Array entry per node`);
  for (const v of nodes) {
    const y = labels[v];
    if (!(y >= 0 && y < numClasses)) {
      throw new UserError(`${what}: node ${v} has label ${y}, outside the ${numClasses} classes`);
    }
  }
}

function checkMultilabelLabels(what: string, labels: Labels, numNodes: number, numClasses: number): void {
  if (!(labels instanceof Uint8Array)) throw new UserError(`${what}: multilabel labels must be a Uint8Array of N × C entries`);
  if (labels.length !== numNodes * numClasses) {
    throw new UserError(`${what}: ${labels.length} label entries, expected ${numNodes} nodes × ${numClasses} labels`);
  }
}

/**
 * Mean over the rows of −log softmax(rowLogits)[label], where row i belongs to node nodes[i]
 * (the rows were gathered already, e.g. by an auxiliary head that only scores the training nodes).
 */
export function softmaxCrossEntropyOnRows(rowLogits: tf.Tensor2D, labels: Int32Array, nodes: Int32Array): tf.Scalar {
  const [rows, classes] = rowLogits.shape;
  if (rows !== nodes.length) throw new Error(`softmaxCrossEntropyOnRows: ${rows} rows for ${nodes.length} nodes`);
  checkMulticlassLabels('cross-entropy', labels, nodes, classes);
  const oneHot = new Float32Array(rows * classes);
  nodes.forEach((v, i) => (oneHot[i * classes + labels[v]] = 1));
  return tf.tidy(() => tf.logSoftmax(rowLogits).mul(tf.tensor2d(oneHot, [rows, classes])).sum().div(-rows));
}

/** Mean softmax cross-entropy over `nodes`; logits [N, C]. */
export function softmaxCrossEntropy(logits: tf.Tensor2D, labels: Int32Array, nodes: Int32Array): tf.Scalar {
  checkNodeIndices('cross-entropy', nodes, logits.shape[0]);
  return tf.tidy(() => softmaxCrossEntropyOnRows(gatherRows(logits, nodes), labels, nodes));
}

/**
 * Mean over rows × labels of the binary cross-entropy with logits, row i being node nodes[i].
 * Written as max(x,0) − x·y + log(1 + e^{−|x|}): no overflow for large |x|, no log(0).
 */
export function binaryCrossEntropyOnRows(rowLogits: tf.Tensor2D, labels: Uint8Array, nodes: Int32Array): tf.Scalar {
  const [rows, classes] = rowLogits.shape;
  if (rows !== nodes.length) throw new Error(`binaryCrossEntropyOnRows: ${rows} rows for ${nodes.length} nodes`);
  if (!(labels instanceof Uint8Array) || labels.length % classes !== 0) {
    throw new UserError(`binary cross-entropy: the labels must be a Uint8Array of N × ${classes} entries`);
  }
  checkNodeIndices('binary cross-entropy', nodes, labels.length / classes);
  const targets = new Float32Array(rows * classes);
  nodes.forEach((v, i) => {
    for (let c = 0; c < classes; c++) targets[i * classes + c] = labels[v * classes + c];
  });
  return tf.tidy(() => {
    const y = tf.tensor2d(targets, [rows, classes]);
    return tf.relu(rowLogits).sub(rowLogits.mul(y)).add(tf.log1p(tf.exp(tf.abs(rowLogits).neg()))).mean();
  });
}

/** Mean binary cross-entropy with logits over `nodes` × labels; logits [N, C], labels [N × C]. */
export function binaryCrossEntropyWithLogits(logits: tf.Tensor2D, labels: Uint8Array, nodes: Int32Array): tf.Scalar {
  const [numNodes, classes] = logits.shape;
  checkNodeIndices('binary cross-entropy', nodes, numNodes);
  checkMultilabelLabels('binary cross-entropy', labels, numNodes, classes);
  return tf.tidy(() => binaryCrossEntropyOnRows(gatherRows(logits, nodes), labels, nodes));
}

function gatherRows(x: tf.Tensor2D, nodes: Int32Array): tf.Tensor2D {
  return tf.gather(x, tf.tensor1d(nodes, 'int32'));
}

/** The task's loss over `nodes`: softmax CE (multiclass) or mean BCE with logits (multilabel). */
export function taskLoss(task: Task, logits: tf.Tensor2D, labels: Labels, nodes: Int32Array): tf.Scalar {
  if (task === 'multiclass') {
    if (!(labels instanceof Int32Array)) throw new UserError('cross-entropy: multiclass labels must be one Int32Array entry per node');
    return softmaxCrossEntropy(logits, labels, nodes);
  }
  if (!(labels instanceof Uint8Array)) throw new UserError('binary cross-entropy: multilabel labels must be a Uint8Array of N × C entries');
  return binaryCrossEntropyWithLogits(logits, labels, nodes);
}

/** As taskLoss, for logits already restricted to `nodes` (row i ↔ nodes[i]). */
export function taskLossOnRows(task: Task, rowLogits: tf.Tensor2D, labels: Labels, nodes: Int32Array): tf.Scalar {
  if (nodes.length === 0) throw new UserError('task loss: the node set is empty');
  if (task === 'multiclass') {
    if (!(labels instanceof Int32Array)) throw new UserError('cross-entropy: multiclass labels must be one Int32Array entry per node');
    return softmaxCrossEntropyOnRows(rowLogits, labels, nodes);
  }
  if (!(labels instanceof Uint8Array)) throw new UserError('binary cross-entropy: multilabel labels must be a Uint8Array of N × C entries');
  return binaryCrossEntropyOnRows(rowLogits, labels, nodes);
}

function checkLogitsData(what: string, logitsData: Float32Array, numClasses: number): number {
  if (!Number.isInteger(numClasses) || numClasses < 1 || logitsData.length % numClasses !== 0) {
    throw new UserError(`${what}: ${logitsData.length} logits do not split into rows of ${numClasses} classes`);
  }
  return logitsData.length / numClasses;
}

/** Fraction of `nodes` whose arg-max logit (first one on ties) equals the label. */
export function accuracy(logitsData: Float32Array, numClasses: number, labels: Int32Array, nodes: Int32Array): number {
  const numNodes = checkLogitsData('accuracy', logitsData, numClasses);
  checkNodeIndices('accuracy', nodes, numNodes);
  if (labels.length !== numNodes) throw new UserError(`accuracy: ${labels.length} labels for ${numNodes} rows of logits`);
  let correct = 0;
  for (const v of nodes) {
    const row = v * numClasses;
    let best = 0;
    for (let c = 1; c < numClasses; c++) if (logitsData[row + c] > logitsData[row + best]) best = c;
    if (best === labels[v]) correct++;
  }
  return correct / nodes.length;
}

/**
 * Micro-averaged F1 over `nodes` × labels: a label is predicted when its logit is strictly above
 * `threshold`; TP, FP, FN are summed over all (node, label) cells, F1 = 2TP / (2TP + FP + FN).
 * Convention (as scikit-learn's default): 0 when there is nothing to score, i.e. no positive
 * labels and no positive predictions.
 *
 * The cut is strict at every threshold: our default 0 means probability > 0.5. The authors' code
 * counts a raw logit ≥ 0.5; with threshold 0.5 we differ from it only on a float32 logit exactly
 * equal to 0.5, which a trained model's real-valued outputs essentially never produce, and one
 * rule keeps the default's results identical to the runs made before the option existed.
 */
export function microF1(logitsData: Float32Array, numClasses: number, labels: Uint8Array, nodes: Int32Array, threshold = 0): number {
  const numNodes = checkLogitsData('micro-F1', logitsData, numClasses);
  checkNodeIndices('micro-F1', nodes, numNodes);
  checkMultilabelLabels('micro-F1', labels, numNodes, numClasses);
  let truePositives = 0;
  let falsePositives = 0;
  let falseNegatives = 0;
  for (const v of nodes) {
    for (let c = v * numClasses; c < (v + 1) * numClasses; c++) {
      const predicted = logitsData[c] > threshold;
      const actual = labels[c] !== 0;
      if (predicted && actual) truePositives++;
      else if (predicted) falsePositives++;
      else if (actual) falseNegatives++;
    }
  }
  const denominator = 2 * truePositives + falsePositives + falseNegatives;
  return denominator === 0 ? 0 : (2 * truePositives) / denominator;
}

export interface MetricOptions {
  /** multi-label: the logit a label must exceed to count as predicted (default 0, probability 0.5) */
  f1Threshold?: number;
}

/** The task's metric over `nodes`: accuracy (multiclass) or micro-F1 at `f1Threshold` (multilabel). */
export function taskMetric(
  task: Task,
  logitsData: Float32Array,
  numClasses: number,
  labels: Labels,
  nodes: Int32Array,
  options: MetricOptions = {},
): number {
  if (task === 'multiclass') {
    if (!(labels instanceof Int32Array)) throw new UserError('accuracy: multiclass labels must be one Int32Array entry per node');
    return accuracy(logitsData, numClasses, labels, nodes);
  }
  if (!(labels instanceof Uint8Array)) throw new UserError('micro-F1: multilabel labels must be a Uint8Array of N × C entries');
  return microF1(logitsData, numClasses, labels, nodes, options.f1Threshold ?? 0);
}

/** Name of the task's metric, for tables and charts. */
export function metricName(task: Task): 'accuracy' | 'micro-F1' {
  return task === 'multiclass' ? 'accuracy' : 'micro-F1';
}
