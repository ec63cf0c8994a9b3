import { expect } from 'vitest';
import { runConfigSchema, type RunConfigInput } from '../../../contract/run-config';
import { generateCsbm } from '../../datasets/csbm';
import { Rng } from '../../random';
import type { GraphOps } from '../../tensor/graph-ops';
import { trainStudents, type TrainEvent } from '../trainer';
import { prepareTrainingData } from '../training-data';

/**
 * The fixed-seed runs: a few small runs whose per-epoch losses and metrics on the CPU backend are
 * pinned in fixed-seed-runs.json (see fixed-seed.test.ts). Other backends are held to the same
 * traces (core/train/webgpu-traces.test.ts).
 */

export const FIXED_SEED_FIXTURE = new URL('./fixed-seed-runs.json', import.meta.url);

export const FIXED_SEED_RUNS: Record<string, Partial<RunConfigInput>> = {
  'gcn, align-ahead, K=2, dropout': { model: 'gcn', layers: 3, strategy: 'alignahead', students: 2, dropout: 0.5, seed: 1 },
  'gat, align-ahead, K=2, no dropout': { model: 'gat', layers: 2, heads: 2, strategy: 'alignahead', students: 2, dropout: 0, seed: 2 },
  'sage, one-to-one + DML, K=3': { model: 'sage', layers: 2, strategy: 'dml', students: 3, seed: 3 },
};

export type Trace = { epoch: number; student: number; taskLoss: number; distillLoss: number; train: number | null; val: number | null }[];

/** The run's per-epoch, per-student figures, trained with `ops` on the backend tf is on now. */
export async function fixedSeedTrace(input: Partial<RunConfigInput>, ops: GraphOps): Promise<Trace> {
  const dataset = generateCsbm({ nodes: 200, edges: 1000, classes: 3, features: 12, seed: 9 });
  const config = runConfigSchema.parse({ data: dataset.name, hidden: 16, epochs: 4, checkpointEvery: 0, heatmapEvery: 0, ...input });
  const data = prepareTrainingData(dataset, config, new Rng(config.seed).fork('split'));
  const events: TrainEvent[] = [];
  try {
    await trainStudents({ config, data, ops, onEvent: (e) => events.push(e) });
  } finally {
    data.dispose();
  }
  return events.flatMap((e) =>
    e.type === 'epoch' ? e.metrics.map((m) => ({ epoch: m.epoch, student: m.student, taskLoss: m.taskLoss!, distillLoss: m.distillLoss!, train: m.trainMetric, val: m.valMetric })) : [],
  );
}

/** Every figure of `actual` within tolerance · (1 + |pinned|) of `pinned`, row by row; returns the worst relative gap. */
export function expectTraceClose(name: string, actual: Trace, pinned: Trace, tolerance: number): number {
  expect(actual.length, name).toBe(pinned.length);
  let worst = 0;
  pinned.forEach((row, i) => {
    const got = actual[i];
    expect({ epoch: got.epoch, student: got.student }).toEqual({ epoch: row.epoch, student: row.student });
    for (const key of ['taskLoss', 'distillLoss', 'train', 'val'] as const) {
      const [a, b] = [got[key] ?? NaN, row[key] ?? NaN];
      if (!(Number.isNaN(a) && Number.isNaN(b))) worst = Math.max(worst, Math.abs(a - b) / (1 + Math.abs(b)));
      expect(Math.abs(a - b) <= tolerance * (1 + Math.abs(b)) || (Number.isNaN(a) && Number.isNaN(b)), `${name}, epoch ${row.epoch}, student ${row.student}, ${key}: ${a} vs pinned ${b}`).toBe(true);
    }
  });
  return worst;
}
