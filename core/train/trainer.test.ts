import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { runConfigSchema, type RunConfigInput } from '../../contract/run-config';
import { generateCsbm } from '../datasets/csbm';
import { generatePpiLike } from '../datasets/ppi-like';
import type { Dataset } from '../datasets/types';
import { Rng } from '../random';
import { kernelGraphOps } from '../tensor/graph-ops-kernels';
import { splitKernelCalls, startKernelThreads, stopKernelThreads } from '../tensor/parallel/kernel-threads';
import { useCpuBackend } from '../tensor/testing/cpu-backend';
import { trainStudents, type TrainEvent, type TrainOutcome } from './trainer';
import { prepareTrainingData } from './training-data';

useCpuBackend();

const smallGraph = generateCsbm({ nodes: 240, edges: 1200, classes: 3, features: 16, seed: 1 });

async function train(dataset: Dataset, input: Partial<RunConfigInput>, extra: { resumeFrom?: Uint8Array; signal?: AbortSignal } = {}) {
  const config = runConfigSchema.parse({ data: dataset.name, hidden: 16, layers: 2, epochs: 6, checkpointEvery: 3, heatmapEvery: 3, ...input });
  const data = prepareTrainingData(dataset, config, new Rng(config.seed).fork('split'));
  const events: TrainEvent[] = [];
  try {
    const outcome = await trainStudents({ config, data, ops: kernelGraphOps, onEvent: (e) => events.push(e), ...extra });
    return { outcome, events };
  } finally {
    data.dispose();
  }
}

const epochEvents = (events: TrainEvent[]) => events.filter((e): e is Extract<TrainEvent, { type: 'epoch' }> => e.type === 'epoch');
/** The epoch rows without their wall times. */
const stripTimes = (events: TrainEvent[]) => epochEvents(events).map((e) => e.metrics.map(({ epochMs: _ms, elapsedMs: _elapsed, ...row }) => row));
/** The convergence figures that do not depend on wall time. */
const results = (o: TrainOutcome) => o.convergence.map(({ epochsTo95, epochsTo99 }) => ({ epochsTo95, epochsTo99 }));
/** Student k's highest validation metric over the run. */
const highestVal = (events: TrainEvent[], k: number) => Math.max(...epochEvents(events).map((e) => e.metrics[k].valMetric ?? -Infinity));

describe('trainStudents', () => {
  it('is deterministic for a seed and differs across seeds', async () => {
    const a = await train(smallGraph, { seed: 3 });
    const b = await train(smallGraph, { seed: 3 });
    const c = await train(smallGraph, { seed: 4 });
    expect(stripTimes(a.events)).toEqual(stripTimes(b.events));
    expect(stripTimes(a.events)).not.toEqual(stripTimes(c.events));
  });

  it('gives the same numbers on one kernel thread and on several', async () => {
    const config = { seed: 6, model: 'gat', heads: 2, strategy: 'alignahead' } as const;
    await startKernelThreads(1);
    const single = await train(smallGraph, config);
    await startKernelThreads(3, { minWork: 0 });
    const before = splitKernelCalls();
    try {
      const threaded = await train(smallGraph, config);
      expect(splitKernelCalls()).toBeGreaterThan(before);
      expect(stripTimes(threaded.events)).toEqual(stripTimes(single.events));
      expect(results(threaded.outcome)).toEqual(results(single.outcome));
    } finally {
      await stopKernelThreads();
    }
  });

  it('resumes from a checkpoint to exactly the numbers of an uninterrupted run', async () => {
    const full = await train(smallGraph, { seed: 5 });
    const checkpoint = full.events.find((e): e is Extract<TrainEvent, { type: 'checkpoint' }> => e.type === 'checkpoint' && e.epoch === 3);
    expect(checkpoint).toBeDefined();
    const resumed = await train(smallGraph, { seed: 5 }, { resumeFrom: checkpoint!.bytes });
    expect(epochEvents(resumed.events).map((e) => e.epoch)).toEqual([4, 5, 6]);
    expect(stripTimes(resumed.events)).toEqual(stripTimes(full.events).slice(3));
    expect(results(resumed.outcome)).toEqual(results(full.outcome));
  });

  it('adds a distillation term only where the strategy asks for one', async () => {
    const independent = await train(smallGraph, { strategy: 'independent', epochs: 2 });
    const alignahead = await train(smallGraph, { strategy: 'alignahead', epochs: 2, a: 10 });
    const dml = await train(smallGraph, { strategy: 'dml', epochs: 2 });
    for (const e of epochEvents(independent.events)) for (const m of e.metrics) expect(m.distillLoss).toBe(0);
    for (const e of epochEvents(alignahead.events)) for (const m of e.metrics) expect(m.distillLoss).toBeGreaterThan(0);
    for (const e of epochEvents(dml.events)) for (const m of e.metrics) expect(m.distillLoss).toBeGreaterThan(0);
    expect(alignahead.outcome.plan.pairs).toEqual([
      { student: 1, peer: 0 },
      { student: 0, peer: 1 },
    ]);
  });

  it('reports alignment matrices for every ordered student pair over all layer pairs', async () => {
    const { events } = await train(smallGraph, { students: 3, layers: 3, epochs: 3, heatmapEvery: 3 });
    const heatmaps = events.filter((e): e is Extract<TrainEvent, { type: 'alignment' }> => e.type === 'alignment');
    expect(heatmaps.map((h) => h.epoch)).toEqual([1, 3]);
    const pairs = heatmaps[0].matrices.map((m) => `${m.student}-${m.peer}`).sort();
    expect(pairs).toEqual(['0-1', '0-2', '1-0', '1-2', '2-0', '2-1']);
    for (const m of heatmaps[0].matrices) {
      expect([m.rows, m.cols, m.data.length]).toEqual([3, 3, 9]);
      for (const v of m.data) expect(v).toBeGreaterThanOrEqual(-1e-6);
    }
  });

  it('learns: validation accuracy after training beats chance clearly', async () => {
    const { outcome, events } = await train(smallGraph, { epochs: 40, dropout: 0.2, lr: 0.02, heatmapEvery: 0, checkpointEvery: 0 });
    for (const k of [0, 1]) expect(highestVal(events, k)).toBeGreaterThan(0.6);
    for (const c of outcome.convergence) expect(c.epochsTo95).toBeGreaterThan(0);
    expect(outcome.epochMsMedian).toBeGreaterThan(0);
  });

  it('trains multi-label multi-graph data with micro-F1', async () => {
    const ppi = generatePpiLike({ graphs: 5, nodesPerGraph: 60, edgesPerGraph: 300, labels: 12, features: 10, seed: 2 });
    const { outcome, events } = await train(ppi, { model: 'gat', heads: 2, hidden: 8, layers: 2, dropout: 0, epochs: 3, batchGraphs: 2 });
    expect(outcome.status).toBe('completed');
    for (const e of epochEvents(events)) {
      for (const m of e.metrics) {
        expect(m.valMetric).toBeGreaterThanOrEqual(0);
        expect(m.valMetric).toBeLessThanOrEqual(1);
      }
    }
  });

  it('stops when cancelled and reports the epochs done', async () => {
    const controller = new AbortController();
    const config = runConfigSchema.parse({ data: 'x', hidden: 8, epochs: 50, checkpointEvery: 0, heatmapEvery: 0 });
    const data = prepareTrainingData(smallGraph, config, new Rng(0).fork('split'));
    const outcome = await trainStudents({
      config,
      data,
      ops: kernelGraphOps,
      signal: controller.signal,
      onEvent: (e) => {
        if (e.type === 'epoch' && e.epoch === 2) controller.abort();
      },
    });
    data.dispose();
    expect(outcome.status).toBe('cancelled');
    expect(outcome.epochsDone).toBe(2);
  });

  it('leaks no tensors over a run', async () => {
    await train(smallGraph, { epochs: 2 });
    const before = tf.memory().numTensors;
    await train(smallGraph, { epochs: 4, deepSupervision: 0.5, featureTransfer: 0.5, dmlWeight: 0.5 });
    expect(tf.memory().numTensors).toBe(before);
  });
});
