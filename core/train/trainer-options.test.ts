import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { runConfigSchema, type RunConfigInput } from '../../contract/run-config';
import { generateCsbm } from '../datasets/csbm';
import { generatePpiLike } from '../datasets/ppi-like';
import type { Dataset } from '../datasets/types';
import { builtinPlan } from '../distill/plans';
import { Rng } from '../random';
import { kernelGraphOps } from '../tensor/graph-ops-kernels';
import { createStudents, disposeStudents } from './student-state';
import { trainStudents, type TrainEvent } from './trainer';
import { prepareTrainingData, type TrainingData } from './training-data';

/**
 * The run options of issue 17 as the trainer honours them (each test fails when its option is
 * ignored): GAT output heads and init, the F1 cut-off, re-drawn batches, τ auto and the
 * distillation-signal diagnostic with its warning. Model selection is the store's (core/store).
 */

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const graph = generateCsbm({ nodes: 200, edges: 1000, classes: 3, features: 12, seed: 7 });
const multiGraph = generatePpiLike({ graphs: 8, nodesPerGraph: 40, edgesPerGraph: 200, labels: 6, features: 8, seed: 3 });

async function train(dataset: Dataset, input: Partial<RunConfigInput>, extra: { resumeFrom?: Uint8Array; spy?: (data: TrainingData) => void } = {}) {
  const config = runConfigSchema.parse({ data: dataset.name, hidden: 8, layers: 2, epochs: 3, checkpointEvery: 0, heatmapEvery: 0, ...input });
  const data = prepareTrainingData(dataset, config, new Rng(config.seed).fork('split'));
  extra.spy?.(data);
  const events: TrainEvent[] = [];
  try {
    await trainStudents({ config, data, ops: kernelGraphOps, onEvent: (e) => events.push(e), resumeFrom: extra.resumeFrom });
    return events;
  } finally {
    data.dispose();
  }
}

type Of<T extends TrainEvent['type']> = Extract<TrainEvent, { type: T }>;
const only = <T extends TrainEvent['type']>(events: TrainEvent[], type: T) => events.filter((e): e is Of<T> => e.type === type);
const losses = (events: TrainEvent[]) => only(events, 'epoch').flatMap((e) => e.metrics.map((m) => [m.taskLoss, m.distillLoss]));
const rowsWithoutTimes = (events: TrainEvent[]) => only(events, 'epoch').map((e) => e.metrics.map(({ epochMs: _m, elapsedMs: _e, ...row }) => row));

describe('GAT output heads and the authors initialisation', () => {
  it('build every student with the config\'s output heads and, under init authors, no bias parameters', () => {
    const config = runConfigSchema.parse({ data: 'x', model: 'gat', layers: 2, hidden: 4, heads: 2, outHeads: 3, init: 'authors' });
    const data = prepareTrainingData(graph, config, new Rng(0).fork('split'));
    const students = createStudents(config, data, kernelGraphOps, builtinPlan('align-ahead', 2), new Rng(0));
    try {
      for (const s of students) {
        expect(s.model.config.outputHeads).toBe(3);
        expect(s.model.config.init).toBe('authors');
        const names = Object.keys(s.model.getWeights());
        expect(names.some((n) => n.endsWith('.bias'))).toBe(false);
        // 3 heads of the output layer: the attention vectors have 3 rows
        expect(Object.entries(s.model.getWeights()).some(([n, w]) => n.startsWith('output.') && w.shape[0] === 3)).toBe(true);
      }
      const glorot = createStudents(runConfigSchema.parse({ data: 'x', model: 'gat', layers: 2, hidden: 4 }), data, kernelGraphOps, builtinPlan('none', 2), new Rng(0));
      expect(Object.keys(glorot[0].model.getWeights()).some((n) => n.endsWith('.bias'))).toBe(true);
      disposeStudents(glorot);
    } finally {
      disposeStudents(students);
      data.dispose();
    }
  });
});

describe('the multi-label F1 cut-off', () => {
  it('scores with the config\'s threshold: a cut no logit reaches predicts nothing (F1 0)', async () => {
    const base = { model: 'gcn', epochs: 1, strategy: 'independent', batchGraphs: 2 } as const;
    const plain = only(await train(multiGraph, base), 'epoch')[0].metrics[0];
    const cut = only(await train(multiGraph, { ...base, f1Threshold: 1e6 }), 'epoch')[0].metrics[0];
    expect(plain.trainMetric).toBeGreaterThan(0.1);
    expect(cut.trainMetric).toBe(0);
    expect(cut.taskLoss).toBe(plain.taskLoss);
  });
});

describe('re-drawn batches', () => {
  const base = { model: 'gcn', strategy: 'alignahead', batchGraphs: 2, epochs: 3, seed: 4 } as const;

  it('draw a fresh grouping of the training graphs for every student pass, and train on it', async () => {
    const groupings: number[][][] = [];
    const spy = (data: TrainingData) => {
      const redraw = data.redraw!;
      const draw = redraw.draw;
      redraw.draw = (rng) => {
        const groups = draw(rng);
        groupings.push(groups);
        return groups;
      };
    };
    const redrawn = await train(multiGraph, { ...base, redrawBatches: true }, { spy });
    const fixed = await train(multiGraph, base);
    // 2 students × 3 epochs, each a partition of the same training graphs into pairs
    expect(groupings).toHaveLength(6);
    const trainGraphs = groupings[0].flat().sort((a, b) => a - b);
    for (const groups of groupings) {
      expect(groups.flat().sort((a, b) => a - b)).toEqual(trainGraphs);
      expect(groups.every((g) => g.length === 2)).toBe(true);
    }
    expect(new Set(groupings.map((g) => JSON.stringify(g))).size).toBeGreaterThan(1);
    expect(losses(redrawn)).not.toEqual(losses(fixed));
  });

  it('are off for one-graph data and resume bit for bit (the grouping stream is checkpointed)', async () => {
    expect(prepareTrainingData(graph, runConfigSchema.parse({ data: 'x', redrawBatches: true }), new Rng(0).fork('split')).redraw).toBeNull();
    const config = { ...base, redrawBatches: true, epochs: 4, checkpointEvery: 2 };
    const full = await train(multiGraph, config);
    const checkpoint = only(full, 'checkpoint').find((e) => e.epoch === 2)!;
    const resumed = await train(multiGraph, config, { resumeFrom: checkpoint.bytes });
    expect(rowsWithoutTimes(resumed)).toEqual(rowsWithoutTimes(full).slice(2));
  });
});

describe('τ auto and the distillation signal', () => {
  it('records the diagnostic before training and at every evaluated epoch, at the fixed τ', async () => {
    const events = await train(graph, { strategy: 'alignahead', epochs: 4, evalEvery: 2 });
    const signals = only(events, 'signal');
    expect(signals.map((s) => s.epoch)).toEqual([0, 2, 4]);
    // 2 ordered student pairs × 2 planned layer pairs
    for (const s of signals) {
      expect(s.rows).toHaveLength(4);
      expect(s.rows.map((r) => `${r.student}<-${r.peer}:${r.studentLayer}<-${r.peerLayer}`).sort()).toEqual(['0<-1:0<-1', '0<-1:1<-0', '1<-0:0<-1', '1<-0:1<-0']);
      for (const r of s.rows) {
        expect(r.tau).toBe(100);
        expect(r.contrast).toBeGreaterThanOrEqual(0);
        expect(r.meanKl).toBeGreaterThanOrEqual(0);
      }
    }
  });

  it('sets each peer layer\'s τ to its median neighbour distance, refreshed and recorded every epoch', async () => {
    const auto = await train(graph, { strategy: 'alignahead', epochs: 3, evalEvery: 2, kernel: { tauMode: 'auto' } });
    const fixed = await train(graph, { strategy: 'alignahead', epochs: 3, evalEvery: 2 });
    const signals = only(auto, 'signal');
    expect(signals.map((s) => s.epoch)).toEqual([0, 1, 2, 3]);
    for (const s of signals) {
      for (const r of s.rows) {
        // τ is the median of the very distances the row's quartiles are taken over
        expect(r.distanceOverTauMedian).toBeCloseTo(1, 5);
        expect(r.tau).toBeGreaterThan(0);
        expect(r.tau).not.toBe(100);
      }
    }
    // the features grow as they train: τ follows them
    const tauOf = (epoch: number) => signals[epoch].rows.find((r) => r.student === 1 && r.peerLayer === 0)!.tau!;
    expect(tauOf(3)).not.toBe(tauOf(0));
    // and it is the τ the distillation term trains with
    expect(losses(auto)).not.toEqual(losses(fixed));
    expect(only(auto, 'epoch')[0].metrics[0].distillLoss).toBeGreaterThan(10 * only(fixed, 'epoch')[0].metrics[0].distillLoss!);
  });

  it('caps the structure term\'s gradient at the rest\'s under τ auto: past the cap, a larger a changes nothing', async () => {
    const run = (a: number) => train(graph, { strategy: 'alignahead', epochs: 3, a, kernel: { tauMode: 'auto' } });
    const taskLosses = (events: TrainEvent[]) => only(events, 'epoch').flatMap((e) => e.metrics.map((m) => m.taskLoss!));
    const [weak, strong, stronger] = [await run(1e-3), await run(1e3), await run(1e6)];
    // a = 1e3 and 1e6 both dominate the task, so both are scaled to the task's gradient norm: the same steps
    taskLosses(stronger).forEach((loss, i) => expect(loss).toBeCloseTo(taskLosses(strong)[i], 4));
    // the reported term is the uncapped a · KL
    expect(only(stronger, 'epoch')[0].metrics[0].distillLoss).toBeCloseTo(1e3 * only(strong, 'epoch')[0].metrics[0].distillLoss!, -1);
    // a weak term is left alone, and it steers the students differently (epoch 1's losses precede any step)
    expect(Math.abs(taskLosses(weak)[4] - taskLosses(strong)[4])).toBeGreaterThan(1e-3);
  });

  it('resumes a τ auto run bit for bit (τ is measured again from the restored weights)', async () => {
    const config = { strategy: 'alignahead', epochs: 4, checkpointEvery: 2, kernel: { tauMode: 'auto' } } as const;
    const full = await train(graph, config);
    const resumed = await train(graph, config, { resumeFrom: only(full, 'checkpoint').find((e) => e.epoch === 2)!.bytes });
    expect(rowsWithoutTimes(resumed)).toEqual(rowsWithoutTimes(full).slice(2));
    // no epoch-0 row again: the resumed run's first diagnostic is epoch 3's
    expect(only(resumed, 'signal').map((s) => s.epoch)).toEqual([3, 4]);
    expect(only(resumed, 'signal')).toEqual(only(full, 'signal').slice(3));
  });

  it('warns once, by kind, when the term is inert, and follows the align-ahead plan for runs without one', async () => {
    const inert = await train(graph, { strategy: 'alignahead', epochs: 2 });
    const warnings = only(inert, 'log').filter((e) => e.kind === 'distillation');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ level: 'warn' });
    expect(warnings[0].message).toMatch(/^epoch 0: at τ = 100 .*near-uniform local structure \(structure contrast .*, below 1\.0e-4\).* barely act/);
    const active = await train(graph, { strategy: 'alignahead', epochs: 2, kernel: { tauMode: 'auto' } });
    expect(only(active, 'log').filter((e) => e.kind === 'distillation')).toEqual([]);
    const independent = await train(graph, { strategy: 'independent', epochs: 1 });
    expect(only(independent, 'log').filter((e) => e.kind === 'distillation')).toEqual([]);
    expect(only(independent, 'signal')[0].rows.map((r) => [r.studentLayer, r.peerLayer])).toEqual([[1, 0], [0, 1], [1, 0], [0, 1]]);
  });

  it('leaks no tensors with every option on', async () => {
    const options = { model: 'gat', heads: 2, outHeads: 2, init: 'authors', redrawBatches: true, kernel: { tauMode: 'auto' }, heatmapEvery: 1, epochs: 2 } as const;
    await train(multiGraph, options);
    const before = tf.memory().numTensors;
    await train(multiGraph, options);
    expect(tf.memory().numTensors).toBe(before);
  });
});
