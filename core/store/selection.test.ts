import { afterEach, describe, expect, it } from 'vitest';
import type { EpochMetricRow } from '../../contract/api';
import { nearUniformSignalRow as signalRow } from '../../contract/testing/signal-rows';
import { UserError } from '../errors';
import { Rng } from '../random';
import { NOTHING_SELECTED, selectAfter, type Selection, type SelectionRule } from '../train/selection';
import { openStore, type ExperimentStore } from './store';

/**
 * The store decides what each student reports by the run's selection rule, and keeps the
 * distillation-signal rows. The reference for the rule is core/train/selection.ts's selectAfter,
 * folded over the rows in epoch order, written out here as a plain loop.
 */

const opened: ExperimentStore[] = [];
afterEach(() => opened.splice(0).forEach((s) => s.close()));

function runningRun(config: object, numStudents = 1, numLayers = 2) {
  const store = openStore(':memory:');
  opened.push(store);
  const run = store.createRun({ config, dataset: 'x', model: 'gcn', strategy: 'alignahead', numStudents, numLayers, seed: 0 });
  store.setStatus(run.id, 'running');
  return { store, runId: run.id };
}

/** One student's epoch: [val, test, task loss, distill loss]; val null = not evaluated. */
type Step = [val: number | null, test: number | null, task: number | null, distill: number];
const row = (epoch: number, student: number, [val, test, task, distill]: Step): EpochMetricRow => ({
  epoch,
  student,
  taskLoss: task,
  distillLoss: distill,
  trainMetric: null,
  valMetric: val,
  testMetric: test,
  epochMs: 1,
  elapsedMs: epoch,
});

// The authors' logs in small: validation peaks at epoch 2, the loss keeps falling until epoch 4
// (a refresh with a LOWER validation score), then the student collapses (loss up, validation down).
const HISTORY: Step[] = [
  [0.6, 0.61, 1.0, 0.1],
  [0.8, 0.79, 0.8, 0.1],
  [0.7, 0.74, 0.7, 0.05],
  [0.75, 0.77, 0.5, 0.05],
  [0.3, 0.2, 2.0, 0.5],
  [null, null, 0.1, 0],
];

describe('model selection in the store', () => {
  it('best-val (the default, and runs recorded before the option): the test score at the highest validation score', () => {
    for (const config of [{}, { selection: 'best-val' }]) {
      const { store, runId } = runningRun(config);
      HISTORY.forEach((step, i) => store.recordEpoch(runId, [row(i + 1, 0, step)]));
      expect(store.getStudents(runId)[0]).toMatchObject({ bestVal: 0.8, bestEpoch: 2, testAtBest: 0.79 });
    }
  });

  it("authors: also refreshed when the training loss (task + distillation) falls, overwriting the stored validation score", () => {
    const { store, runId } = runningRun({ selection: 'authors' });
    const best = HISTORY.map((step, i) => store.recordEpoch(runId, [row(i + 1, 0, step)]).best[0]);
    // epoch 3: val 0.7 < 0.8 but loss 0.75 < 0.9 → refreshed; epoch 4: loss 0.55 → refreshed; the collapse is not
    expect(best.map((b) => b.bestEpoch)).toEqual([1, 2, 3, 4, 4, 4]);
    expect(store.getStudents(runId)[0]).toMatchObject({ bestVal: 0.75, bestEpoch: 4, testAtBest: 0.77 });
  });

  it('agrees with selectAfter folded over random histories, per student, NaN losses included', () => {
    const rng = new Rng(11);
    for (const rule of ['best-val', 'authors'] as SelectionRule[]) {
      for (let trial = 0; trial < 20; trial++) {
        const { store, runId } = runningRun({ selection: rule }, 2);
        const expected: Selection[] = [NOTHING_SELECTED, NOTHING_SELECTED];
        for (let epoch = 1; epoch <= 15; epoch++) {
          const steps = [0, 1].map((): Step => {
            const evaluated = rng.next() < 0.7;
            const task = rng.next() < 0.1 ? null : Math.round(rng.next() * 20) / 10;
            return [evaluated ? Math.round(rng.next() * 10) / 10 : null, evaluated ? rng.next() : null, task, Math.round(rng.next() * 5) / 10];
          });
          store.recordEpoch(runId, steps.map((step, student) => row(epoch, student, step)));
          steps.forEach(([val, test, task, distill], k) => {
            if (val === null) return;
            expected[k] = selectAfter(rule, expected[k], { epoch, val, test: test ?? Number.NaN, trainLoss: (task ?? Number.NaN) + distill }).selection;
          });
        }
        const students = store.getStudents(runId);
        expected.forEach((e, k) => expect(students[k]).toMatchObject({ bestEpoch: e.epoch || null, bestVal: e.epoch ? e.val : null, testAtBest: e.epoch ? e.test : null }));
      }
    }
  });

  it('replays the rule over what remains after discarding later epochs (resume)', () => {
    const { store, runId } = runningRun({ selection: 'authors' });
    HISTORY.forEach((step, i) => store.recordEpoch(runId, [row(i + 1, 0, step)]));
    store.discardAfterEpoch(runId, 3);
    expect(store.getStudents(runId)[0]).toMatchObject({ bestVal: 0.7, bestEpoch: 3, testAtBest: 0.74 });
    store.discardAfterEpoch(runId, 0);
    expect(store.getStudents(runId)[0]).toMatchObject({ bestVal: null, bestEpoch: null, testAtBest: null });
  });

  it('refuses a run whose recorded rule it does not know, naming it', () => {
    const { store, runId } = runningRun({ selection: 'best-test' });
    expect(() => store.recordEpoch(runId, [row(1, 0, HISTORY[0])])).toThrow(UserError);
    expect(() => store.recordEpoch(runId, [row(1, 0, HISTORY[0])])).toThrow(/unknown selection rule 'best-test'/);
    expect(store.getMetrics(runId)).toEqual([]);
  });
});

describe('the distillation signal in the store', () => {
  it('keeps every figure, returns rows in order and pages by epoch; non-finite figures become null', () => {
    const { store, runId } = runningRun({}, 2);
    store.recordSignal(runId, [signalRow({ student: 1, peer: 0 }), signalRow()]);
    store.recordSignal(runId, [signalRow({ epoch: 1, tau: null, distanceOverTauMedian: Number.NaN, contrast: Number.POSITIVE_INFINITY, state: 'unknown' })]);
    const rows = store.getSignal(runId);
    expect(rows).toEqual([signalRow(), signalRow({ student: 1, peer: 0 }), signalRow({ epoch: 1, tau: null, distanceOverTauMedian: null, contrast: null, state: 'unknown' })]);
    expect(store.getSignal(runId, { afterEpoch: 0 })).toHaveLength(1);
  });

  it('refuses bad rows by name and records nothing of that epoch', () => {
    const { store, runId } = runningRun({}, 2);
    expect(() => store.recordSignal(runId, [signalRow(), signalRow({ student: 1, peer: 1 })])).toThrow(/rows\[1\]: student 1 cannot learn from itself/);
    expect(() => store.recordSignal(runId, [signalRow({ peerLayer: 2 })])).toThrow(/rows\[0\]\.peerLayer: expected an integer in 0\.\.1/);
    expect(() => store.recordSignal(runId, [signalRow({ state: 'dead' as never })])).toThrow(/rows\[0\]\.state: unknown state 'dead'/);
    expect(() => store.recordSignal(runId, [signalRow(), signalRow()])).toThrow(/given twice/);
    expect(() => store.recordSignal(runId, [signalRow(), signalRow({ epoch: 1 })])).toThrow(/one epoch at a time/);
    expect(store.getSignal(runId)).toEqual([]);
    store.recordSignal(runId, [signalRow()]);
    expect(() => store.recordSignal(runId, [signalRow()])).toThrow(/epoch 0 is already recorded/);
  });

  it('is discarded with later epochs on resume (all of it for a resume from scratch) and deleted with its run', () => {
    const { store, runId } = runningRun({}, 2);
    for (const epoch of [0, 1, 2]) store.recordSignal(runId, [signalRow({ epoch })]);
    store.discardAfterEpoch(runId, 1);
    expect(store.getSignal(runId).map((r) => r.epoch)).toEqual([0, 1]);
    // a resume without a checkpoint starts from the initial weights and records epoch 0 again
    store.discardAfterEpoch(runId, 0);
    expect(store.getSignal(runId)).toEqual([]);
    store.recordSignal(runId, [signalRow()]);
    store.setStatus(runId, 'cancelled');
    store.deleteRun(runId);
    expect(() => store.getSignal(runId)).toThrow(/run 1 not found/);
  });
});
