import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { runConfigSchema, type RunConfigInput } from '../../../contract/run-config';
import { generateCsbm } from '../../datasets/csbm';
import { Rng } from '../../random';
import type { GraphOps } from '../../tensor/graph-ops';
import { trainStudents, type TrainEvent } from '../trainer';
import { prepareTrainingData } from '../training-data';

/**
 * The pinned fixed-seed runs (fixed-seed-runs.json, written by core/train/fixed-seed.test.ts on the
 * CPU backend), for checking that another backend trains to the same numbers within float
 * reassociation.
 */
const FIXTURE = new URL('./fixed-seed-runs.json', import.meta.url);

export const PINNED_RUNS: Record<string, Partial<RunConfigInput>> = {
  'gcn, align-ahead, K=2, dropout': { model: 'gcn', layers: 3, strategy: 'alignahead', students: 2, dropout: 0.5, seed: 1 },
  'gat, align-ahead, K=2, no dropout': { model: 'gat', layers: 2, heads: 2, strategy: 'alignahead', students: 2, dropout: 0, seed: 2 },
  'sage, one-to-one + DML, K=3': { model: 'sage', layers: 2, strategy: 'dml', students: 3, seed: 3 },
};

type Trace = { epoch: number; student: number; taskLoss: number; distillLoss: number; train: number | null; val: number | null }[];

/** Per-epoch, per-student figures of one pinned run on the current backend. */
export async function pinnedRunTrace(input: Partial<RunConfigInput>, ops: GraphOps): Promise<Trace> {
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
    e.type === 'epoch' ? e.students.map((s) => ({ epoch: e.epoch, student: s.student, taskLoss: s.taskLoss, distillLoss: s.distillLoss, train: s.train, val: s.val })) : [],
  );
}

/** Every figure of `actual` within `tolerance` (relative, plus absolute 1 · tolerance) of the pinned trace `name`. */
export function expectPinned(name: string, actual: Trace, tolerance: number): void {
  const pinned = (JSON.parse(readFileSync(FIXTURE, 'utf8')) as Record<string, Trace>)[name];
  expect(actual.length, name).toBe(pinned.length);
  pinned.forEach((row, i) => {
    const got = actual[i];
    expect({ epoch: got.epoch, student: got.student }).toEqual({ epoch: row.epoch, student: row.student });
    for (const key of ['taskLoss', 'distillLoss', 'train', 'val'] as const) {
      const [a, b] = [got[key] ?? NaN, row[key] ?? NaN];
      expect(Math.abs(a - b) <= tolerance * (1 + Math.abs(b)) || (Number.isNaN(a) && Number.isNaN(b)), `${name}, epoch ${row.epoch}, student ${row.student}, ${key}: ${a} vs pinned ${b}`).toBe(true);
    }
  });
}
