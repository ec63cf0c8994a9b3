import { SELECTION_RULES } from '../../contract/run-config';
import { UserError } from '../errors';
import { NOTHING_SELECTED, selectAfter, type Evaluation, type Selection, type SelectionRule } from '../train/selection';
import type { StoreContext } from './context';
import type { RunRecord } from './types';

/**
 * The store decides each student's reported test score ("best": students.best_val, best_epoch,
 * test_at_best) from the recorded epoch rows, by the run's selection rule (config.selection,
 * recorded with the run; core/train/selection.ts): best-val, or the authors' rule, which also
 * refreshes when the epoch's training loss (task + distillation, as recorded) falls. The rule is
 * applied here, inside the transaction that records the epoch, rather than by the trainer: the
 * rows it reads are exactly the stored ones, a resumed run replays the rule over what remains after
 * discarding later epochs, and whoever records epochs (a local trainer, a remote worker) gets the
 * same answer. best_val holds the validation metric of the selected epoch (under the authors' rule
 * it can be below an earlier one).
 */

/** The selection rule a run was recorded with; runs made before the option existed used best-val. */
export function selectionRuleOf(run: RunRecord): SelectionRule {
  const rule = (run.config as { selection?: unknown }).selection ?? 'best-val';
  if (!SELECTION_RULES.includes(rule as SelectionRule)) {
    throw new UserError(`run ${run.id}: unknown selection rule '${String(rule)}' in its config (one of ${SELECTION_RULES.join(', ')})`);
  }
  return rule as SelectionRule;
}

interface EvaluatedRow {
  student: number;
  epoch: number;
  val: number;
  test: number | null;
  taskLoss: number | null;
  distillLoss: number | null;
}

const EVALUATED_COLUMNS = 'student, epoch, val_metric AS val, test_metric AS test, task_loss AS taskLoss, distill_loss AS distillLoss';

/** A stored row as the rule reads it: nulls (not computed, or not finite) become NaN, which never wins a comparison. */
function evaluationOf(row: EvaluatedRow): Evaluation {
  return { epoch: row.epoch, val: row.val, test: row.test ?? Number.NaN, trainLoss: (row.taskLoss ?? Number.NaN) + (row.distillLoss ?? Number.NaN) };
}

/** Each student's selection as stored now: nothing selected, or the selected epoch's row. */
function storedSelections(ctx: StoreContext, runId: number): Map<number, Selection> {
  const rows = ctx
    .statement(
      `SELECT s.idx AS student, m.epoch, m.val_metric AS val, m.test_metric AS test, m.task_loss AS taskLoss, m.distill_loss AS distillLoss
       FROM students s LEFT JOIN epoch_metrics m ON m.run_id = s.run_id AND m.student = s.idx AND m.epoch = s.best_epoch
       WHERE s.run_id = ?`,
    )
    .all(runId) as (Omit<EvaluatedRow, 'epoch'> & { epoch: number | null })[];
  return new Map(rows.map((row) => [row.student, row.epoch === null ? NOTHING_SELECTED : selectionOf(evaluationOf(row as EvaluatedRow))]));
}

function selectionOf({ epoch, val, test, trainLoss }: Evaluation): Selection {
  return { epoch, val, test, trainLoss };
}

function storeSelections(ctx: StoreContext, runId: number, selections: Map<number, Selection>): void {
  const update = ctx.statement('UPDATE students SET best_val = @val, best_epoch = @epoch, test_at_best = @test WHERE run_id = @runId AND idx = @idx');
  const nullable = (x: number) => (Number.isFinite(x) ? x : null);
  for (const [idx, s] of selections) {
    update.run({ runId, idx, val: s.epoch === 0 ? null : nullable(s.val), epoch: s.epoch === 0 ? null : s.epoch, test: s.epoch === 0 ? null : nullable(s.test) });
  }
}

function fold(rule: SelectionRule, start: Map<number, Selection>, rows: readonly EvaluatedRow[]): Map<number, Selection> {
  const selections = new Map(start);
  for (const row of rows) {
    const current = selections.get(row.student) ?? NOTHING_SELECTED;
    selections.set(row.student, selectAfter(rule, current, evaluationOf(row)).selection);
  }
  return selections;
}

/** Applies the rule to the evaluated rows of `epoch`, just recorded. Callers hold the write transaction. */
export function selectAtEpoch(ctx: StoreContext, run: RunRecord, epoch: number): void {
  const rows = ctx
    .statement(`SELECT ${EVALUATED_COLUMNS} FROM epoch_metrics WHERE run_id = ? AND epoch = ? AND val_metric IS NOT NULL ORDER BY student`)
    .all(run.id, epoch) as EvaluatedRow[];
  if (rows.length === 0) return;
  storeSelections(ctx, run.id, fold(selectionRuleOf(run), storedSelections(ctx, run.id), rows));
}

/** Replays the rule over every evaluated row, from nothing selected (after rows were discarded). Callers hold the write transaction. */
export function reselect(ctx: StoreContext, run: RunRecord): void {
  const rows = ctx
    .statement(`SELECT ${EVALUATED_COLUMNS} FROM epoch_metrics WHERE run_id = ? AND val_metric IS NOT NULL ORDER BY epoch, student`)
    .all(run.id) as EvaluatedRow[];
  const nothing = new Map(Array.from({ length: run.numStudents }, (_, idx) => [idx, NOTHING_SELECTED]));
  storeSelections(ctx, run.id, fold(selectionRuleOf(run), nothing, rows));
}
