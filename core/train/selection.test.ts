import { describe, expect, it } from 'vitest';
import { NOTHING_SELECTED, selectAfter, selectionFromJson, type Evaluation, type Selection, type SelectionRule } from './selection';

/** Runs a rule over a scripted trace and returns the final selection and the epochs it refreshed at. */
function replay(rule: SelectionRule, trace: Evaluation[]): { selection: Selection; refreshedAt: number[] } {
  let selection = NOTHING_SELECTED;
  const refreshedAt: number[] = [];
  for (const evaluation of trace) {
    const next = selectAfter(rule, selection, evaluation);
    selection = next.selection;
    if (next.refreshed) refreshedAt.push(evaluation.epoch);
  }
  return { selection, refreshedAt };
}

const at = (epoch: number, val: number, trainLoss: number): Evaluation => ({ epoch, val, trainLoss, test: 1000 + epoch });

// Shaped like the authors' logs: steady progress, a run where the loss keeps falling while validation
// dips, then a late collapse (loss jumps to a constant predictor's, validation falls).
const TRACE = [
  at(10, 0.6, 0.5),
  at(20, 0.8, 0.3),
  at(30, 0.78, 0.2), // val dips, loss falls: authors refresh, best-val does not
  at(40, 0.79, 0.25), // val 0.79 beats the lowered bar 0.78 although below 0.8: authors refresh
  at(50, 0.77, 0.24), // val below the stored 0.79, loss 0.24 below the stored 0.25: authors refresh
  at(60, 0.9, 0.26), // val improves while the loss rises: both refresh
  at(70, 0.85, 0.3), // neither
  at(80, 0.4, 0.56), // collapse: neither
  at(90, 0.4, 0.56),
];

describe('model selection on a scripted (validation, training loss) trace', () => {
  it('best-val takes the test score at the best validation metric only', () => {
    const { selection, refreshedAt } = replay('best-val', TRACE);
    expect(refreshedAt).toEqual([10, 20, 60]);
    expect(selection).toEqual({ epoch: 60, val: 0.9, test: 1060, trainLoss: 0.26 });
  });

  it('authors refresh when validation improves OR the training loss falls, overwriting both stored values', () => {
    const { selection, refreshedAt } = replay('authors', TRACE);
    expect(refreshedAt).toEqual([10, 20, 30, 40, 50, 60]);
    expect(selection).toEqual({ epoch: 60, val: 0.9, test: 1060, trainLoss: 0.26 });
  });

  it('can report a test score from an epoch best-val would never pick, and survives a late collapse', () => {
    // the loss keeps falling after the validation peak: the authors' rule follows the loss
    const trace = [at(10, 0.7, 0.4), at(20, 0.9, 0.3), at(30, 0.6, 0.2), at(40, 0.55, 0.1), at(50, 0.3, 0.7)];
    expect(replay('best-val', trace).selection.epoch).toBe(20);
    expect(replay('authors', trace).selection).toEqual({ epoch: 40, val: 0.55, test: 1040, trainLoss: 0.1 });
  });

  it('keeps the earlier epoch on ties, and lets NaN win nothing', () => {
    const trace = [at(1, 0.5, 0.3), at(2, 0.5, 0.3), at(3, Number.NaN, Number.NaN)];
    for (const rule of ['best-val', 'authors'] as const) expect(replay(rule, trace).refreshedAt).toEqual([1]);
    // no validation split (NaN metrics): best-val never selects, the authors' rule still follows the loss
    const noVal = [at(1, Number.NaN, 0.5), at(2, Number.NaN, 0.4)];
    expect(replay('best-val', noVal).refreshedAt).toEqual([]);
    expect(replay('authors', noVal).refreshedAt).toEqual([1, 2]);
  });

  it('round-trips through JSON, where infinities become null', () => {
    const restored = selectionFromJson(JSON.parse(JSON.stringify(NOTHING_SELECTED)));
    expect(restored.val).toBe(-Infinity);
    expect(restored.trainLoss).toBe(Infinity);
    expect(restored.test).toBeNaN();
    // checkpoints written before the selection rule existed carry no trainLoss
    expect(selectionFromJson({ val: 0.5, test: 0.4, epoch: 3 }).trainLoss).toBe(Infinity);
  });
});
