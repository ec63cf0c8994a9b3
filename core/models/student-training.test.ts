import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { buildGraph } from '../graph/build';
import { Rng } from '../random';
import { createStudent } from './student';
import { kernelGraphOps } from '../tensor/graph-ops-kernels';
import { useCpuBackend } from '../tensor/testing/cpu-backend';
import type { StudentConfigInput } from './types';

/**
 * A tiny end-to-end check that the students learn: a synthetic homophilous graph (three classes,
 * 85% of edges inside a class, noisy class-dependent features), Adam on 10 labelled nodes per class,
 * accuracy measured on the other nodes. Training runs on the kernel graph ops, the CPU path.
 */

useCpuBackend();

const NODES = 90;
const CLASSES = 3;
const FEATURES = 6;
const STEPS = 30;

function syntheticTask(seed: number) {
  const rng = new Rng(seed);
  const labels = Array.from({ length: NODES }, (_, v) => v % CLASSES);
  const byClass = Array.from({ length: CLASSES }, (_, c) => labels.flatMap((y, v) => (y === c ? [v] : [])));
  const src: number[] = [];
  const dst: number[] = [];
  for (let v = 0; v < NODES; v++) {
    for (let k = 0; k < 3; k++) {
      const pool = rng.next() < 0.85 ? byClass[labels[v]] : labels.map((_, u) => u);
      src.push(v);
      dst.push(pool[rng.int(pool.length)]);
    }
  }
  const means = Array.from({ length: CLASSES }, () => Array.from({ length: FEATURES }, () => rng.normal()));
  const features = labels.map((y) => means[y].map((m) => m + 1.5 * rng.normal()));
  const train = labels.flatMap((_, v) => (v < 10 * CLASSES ? [v] : []));
  const test = labels.flatMap((_, v) => (v >= 10 * CLASSES ? [v] : []));
  return { graph: buildGraph(NODES, src, dst), features, labels, train, test };
}

const VARIANTS: [string, StudentConfigInput][] = [
  ['gcn', { model: 'gcn', inFeatures: FEATURES, numClasses: CLASSES, layers: 2, hidden: 16, dropout: 0.2 }],
  ['gat', { model: 'gat', inFeatures: FEATURES, numClasses: CLASSES, layers: 2, hidden: 8, heads: 2, dropout: 0.1 }],
  ['sage mean', { model: 'sage', inFeatures: FEATURES, numClasses: CLASSES, layers: 2, hidden: 16, dropout: 0.2 }],
  ['sage pool', { model: 'sage', inFeatures: FEATURES, numClasses: CLASSES, layers: 2, hidden: 16, aggregator: 'pool', dropout: 0.2 }],
];

describe('students learn a separable synthetic graph', () => {
  // the fused kernels: tfjs-cpu's segment sum, which the reference ops use, loops over every node
  const ops = kernelGraphOps;
  const task = syntheticTask(3);

  it.each(VARIANTS)('%s', (_name, config) => {
    const student = createStudent(config, ops, new Rng(1));
    const optimizer = tf.train.adam(0.02);
    const x = tf.tensor2d(task.features);
    const trainIds = tf.tensor1d(task.train, 'int32');
    const trainTargets = tf.oneHot(tf.tensor1d(task.train.map((v) => task.labels[v]), 'int32'), CLASSES);

    const losses: number[] = [];
    for (let step = 0; step < STEPS; step++) {
      const loss = optimizer.minimize(
        () => {
          const { logits, hidden } = student.forward(task.graph, x, { training: true });
          tf.dispose(hidden);
          return tf.losses.softmaxCrossEntropy(trainTargets, tf.gather(logits, trainIds)) as tf.Scalar;
        },
        true,
        student.trainableVariables(),
      )!;
      losses.push(loss.dataSync()[0]);
      loss.dispose();
    }

    const { logits, hidden } = student.forward(task.graph, x, { training: false });
    const predictions = logits.argMax(1).arraySync() as number[];
    const accuracy = task.test.filter((v) => predictions[v] === task.labels[v]).length / task.test.length;
    tf.dispose([logits, ...hidden, x, trainIds, trainTargets]);
    optimizer.dispose();
    student.dispose();

    const early = losses.slice(0, 3).reduce((a, b) => a + b) / 3;
    const late = losses.slice(-3).reduce((a, b) => a + b) / 3;
    expect(late).toBeLessThan(0.5 * early);
    // chance is 1/3
    expect(accuracy).toBeGreaterThan(0.75);
  });
});
