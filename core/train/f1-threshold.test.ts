import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { buildGraph } from '../graph/build';
import type { Student } from '../models/types';
import { evaluateStudent } from './evaluate';
import { microF1, taskMetric } from '../models/task';
import { useCpuBackend } from '../tensor/testing/cpu-backend';
import type { GraphBatch, TrainingData } from './training-data';

/** The run's multi-label cut-off (config f1Threshold): strict, and carried from the evaluation to the metric. */

useCpuBackend();

const nextFloat32 = (x: number) => {
  const f = new Float32Array([x]);
  new Int32Array(f.buffer)[0] += x >= 0 ? 1 : -1;
  return f[0];
};

describe('micro-F1 cut-off', () => {
  it('counts a logit exactly at the threshold as negative and the next float32 above as positive', () => {
    const nodes = Int32Array.from([0]);
    const labels = Uint8Array.from([1, 1]);
    for (const threshold of [0, 0.5]) {
      // one label exactly at the cut, one just above: TP = 1, FN = 1 → F1 = 2/3
      const logits = Float32Array.from([threshold, nextFloat32(threshold)]);
      expect(microF1(logits, 2, labels, nodes, threshold)).toBeCloseTo(2 / 3, 12);
      expect(taskMetric('multilabel', logits, 2, labels, nodes, { f1Threshold: threshold })).toBeCloseTo(2 / 3, 12);
    }
  });

  it("moves with the run's threshold through the evaluation: 0 (ours) vs 0.5 (the authors')", async () => {
    // one node, four labels, logits between 0 and 0.5 on two true labels: positive at 0, negative at 0.5
    const graph = buildGraph(1, [], []);
    const logits = Float32Array.from([0.3, 0.2, 0.9, -1]);
    const labels = Uint8Array.from([1, 1, 1, 0]);
    const nodes = Int32Array.from([0]);
    const features = tf.tensor2d([[1]]);
    const batch: GraphBatch = { graph, features, labels, nodes: { train: nodes, val: nodes, test: nodes } };
    const data = { task: 'multilabel', numClasses: 4, numFeatures: 1, evalBatches: [batch] } as unknown as TrainingData;
    const student = { forward: () => ({ logits: tf.tensor2d(logits, [1, 4]), hidden: [] }) } as unknown as Student;
    expect((await evaluateStudent(student, data)).test).toBe(1); // all three true labels above 0
    expect((await evaluateStudent(student, data, { f1Threshold: 0 })).test).toBe(1);
    // at 0.5 only the 0.9 survives: TP 1, FN 2 → 2/(2+2)
    expect((await evaluateStudent(student, data, { f1Threshold: 0.5 })).val).toBeCloseTo(0.5, 12);
    features.dispose();
  });
});
