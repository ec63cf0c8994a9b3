import type { SELECTION_RULES } from '../../contract/run-config';

/**
 * Model selection: which evaluation's test score a student reports. Called once per student and
 * evaluation, in epoch order.
 *
 * - best-val (ours): the test score at the highest validation metric; ties keep the earlier epoch.
 * - authors: the rule of the authors' released code. At every evaluation the stored test score is
 *   refreshed when the validation metric beats the stored one OR the training loss (that epoch's
 *   mean total loss, distillation included) is below the stored one; a refresh overwrites BOTH
 *   stored values, so a refresh on a falling loss can lower the validation bar. Their logs show
 *   students collapsing late in training; this rule keeps the pre-collapse test score because the
 *   collapsed loss never falls below the stored one.
 */
export type SelectionRule = (typeof SELECTION_RULES)[number];

export interface Selection {
  /** validation metric stored at the last refresh (−∞ before the first) */
  val: number;
  /** the reported test metric (NaN before the first refresh) */
  test: number;
  /** epoch of the last refresh (0 before the first) */
  epoch: number;
  /** training loss stored at the last refresh (+∞ before the first) */
  trainLoss: number;
}

export interface Evaluation {
  epoch: number;
  val: number;
  test: number;
  /** the student's mean training loss over the epoch's batches: task loss plus every added term */
  trainLoss: number;
}

export const NOTHING_SELECTED: Selection = { val: -Infinity, test: Number.NaN, epoch: 0, trainLoss: Infinity };

/** The selection after one more evaluation, and whether its test score was taken. NaN never wins a comparison. */
export function selectAfter(rule: SelectionRule, current: Selection, evaluation: Evaluation): { selection: Selection; refreshed: boolean } {
  const valImproved = evaluation.val > current.val;
  const refreshed = rule === 'best-val' ? valImproved : valImproved || evaluation.trainLoss < current.trainLoss;
  if (!refreshed) return { selection: current, refreshed };
  const { epoch, val, test, trainLoss } = evaluation;
  return { selection: { epoch, val, test, trainLoss }, refreshed };
}

/** A selection read back from JSON (a checkpoint), where ±∞ were written as null. */
export function selectionFromJson(saved: { val: number | null; test: number | null; epoch: number; trainLoss?: number | null }): Selection {
  return {
    val: saved.val ?? -Infinity,
    test: saved.test ?? Number.NaN,
    epoch: saved.epoch,
    trainLoss: saved.trainLoss ?? Infinity,
  };
}
