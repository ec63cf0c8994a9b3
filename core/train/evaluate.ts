import * as tf from '@tensorflow/tfjs';
import type { Student } from '../models/types';
import { bufferScope } from '../tensor/parallel/shared-buffers';
import { readAndDispose } from '../tensor/readback';
import { taskMetric, type MetricOptions } from '../models/task';
import type { GraphBatch, TrainingData } from './training-data';

export interface SplitMetrics {
  train: number;
  val: number;
  test: number;
}

type SplitName = keyof SplitMetrics;
const SPLITS: SplitName[] = ['train', 'val', 'test'];

/**
 * The task metric (accuracy, or micro-F1 for multi-label data) of one student on each split, in eval
 * mode. Multi-graph splits span several batches: their rows are pooled before scoring, so micro-F1
 * counts over all nodes of the split rather than averaging per batch. An empty split scores NaN.
 * Every batch's logits are computed first and read back together, once. `options.f1Threshold` is
 * the run's multi-label cut-off (config f1Threshold). With `options.hiddenOf` (one of the eval
 * batches), that batch's hidden layers from the same forward pass come back too, for the structure
 * pass to reuse instead of forwarding again; they are the caller's to dispose.
 */
export async function evaluateStudent(
  model: Student,
  data: TrainingData,
  options: MetricOptions & { hiddenOf?: GraphBatch } = {},
): Promise<SplitMetrics & { hidden?: tf.Tensor2D[] }> {
  const labelWidth = data.task === 'multilabel' ? data.numClasses : 1;
  const pooled = new Map<SplitName, { logits: number[]; labels: number[] }>(SPLITS.map((s) => [s, { logits: [], labels: [] }]));
  let hidden: tf.Tensor2D[] | undefined;
  const allLogits = bufferScope(() =>
    data.evalBatches.map((batch) =>
      tf.tidy(() => {
        const output = model.forward(batch.graph, batch.features, { training: false });
        if (batch === options.hiddenOf) hidden = output.hidden.map((h) => tf.keep(h));
        return output.logits;
      }),
    ),
  );
  const read = await readAndDispose(allLogits);
  for (const [b, batch] of data.evalBatches.entries()) {
    const values = read[b];
    for (const split of SPLITS) {
      const target = pooled.get(split)!;
      for (const node of batch.nodes[split]) {
        for (let c = 0; c < data.numClasses; c++) target.logits.push(values[node * data.numClasses + c]);
        for (let c = 0; c < labelWidth; c++) target.labels.push(batch.labels[node * labelWidth + c]);
      }
    }
  }
  const score = (split: SplitName): number => {
    const { logits, labels } = pooled.get(split)!;
    const count = logits.length / data.numClasses;
    if (count === 0) return Number.NaN;
    const nodes = Int32Array.from({ length: count }, (_, i) => i);
    const labelArray = data.task === 'multilabel' ? Uint8Array.from(labels) : Int32Array.from(labels);
    return taskMetric(data.task, Float32Array.from(logits), data.numClasses, labelArray, nodes, options);
  };
  return { train: score('train'), val: score('val'), test: score('test'), ...(hidden ? { hidden } : {}) };
}
