import type { EpochMetricRow, StudentBest, StudentConvergence } from '../../contract/api';
import { UserError } from '../errors';
import type { StoreContext } from './context';
import { insertEvent } from './events';
import { BEST_COLUMNS, METRIC_COLUMNS, STUDENT_COLUMNS } from './rows';
import { isOwnedHere, ownerText, touch } from './run-lifecycle';
import { reselect, selectAtEpoch } from './selection';
import type { ConvergenceUpdate, RecordedEpoch } from './types';
import * as check from './validate';

/**
 * Per-epoch metrics and the per-student summaries they feed. The store is the one place that
 * decides a student's best, by the run's selection rule, as each epoch is recorded (selection.ts).
 */

/** Recounts a run's finished epochs (runs.epochs_done) from its metric rows. */
export const EPOCHS_DONE_SQL = 'UPDATE runs SET epochs_done = (SELECT COUNT(*) FROM epoch_metrics m WHERE m.run_id = runs.id AND m.student = 0) WHERE id = ?';

const CONVERGENCE_COLUMNS: Record<keyof ConvergenceUpdate, { column: string; integer: boolean }> = {
  epochsTo95: { column: 'epochs_to_95', integer: true },
  secondsTo95: { column: 'seconds_to_95', integer: false },
  epochsTo99: { column: 'epochs_to_99', integer: true },
  secondsTo99: { column: 'seconds_to_99', integer: false },
};

export function getStudents(ctx: StoreContext, runId: number): StudentConvergence[] {
  const run = ctx.requireRun(runId);
  return ctx.statement(`SELECT ${STUDENT_COLUMNS} FROM students WHERE run_id = ? ORDER BY idx`).all(run.id) as StudentConvergence[];
}

/** Sets a student's convergence figures (those given; null clears one), as the trainer reports them at the end. */
export function setConvergence(ctx: StoreContext, runId: number, idx: number, figures: ConvergenceUpdate): StudentConvergence {
  const assignments: string[] = [];
  const values: Record<string, number | null> = {};
  for (const [key, value] of Object.entries(figures)) {
    const spec = CONVERGENCE_COLUMNS[key as keyof ConvergenceUpdate];
    if (!spec) throw new UserError(`convergence: unknown field '${key}' (one of ${Object.keys(CONVERGENCE_COLUMNS).join(', ')})`);
    if (value === undefined) continue;
    values[spec.column] = spec.integer ? check.optionalInteger(key, value, 0) : check.metric(key, value);
    assignments.push(`${spec.column} = @${spec.column}`);
  }
  return ctx.write(() => {
    const run = ctx.requireRun(runId);
    const student = check.integer('student', idx, 0, run.numStudents - 1);
    if (assignments.length > 0) {
      ctx.db.prepare(`UPDATE students SET ${assignments.join(', ')} WHERE run_id = @run_id AND idx = @idx`).run({ ...values, run_id: run.id, idx: student });
    }
    return ctx.statement(`SELECT ${STUDENT_COLUMNS} FROM students WHERE run_id = ? AND idx = ?`).get(run.id, student) as StudentConvergence;
  });
}

/**
 * Records one epoch (numbered from 1) of a running run: one row per student, all of the same epoch,
 * in one transaction, so a crash leaves the epoch whole or absent. Non-finite metrics (a loss that
 * became NaN) are stored as null. Returns the rows as stored and every student's best after them.
 */
export function recordEpoch(ctx: StoreContext, runId: number, rows: readonly EpochMetricRow[]): RecordedEpoch {
  if (!Array.isArray(rows) || rows.length === 0) throw new UserError('recordEpoch: expected one row per student');
  const epoch = check.integer('rows[0].epoch', rows[0]?.epoch, 1);
  const clean: EpochMetricRow[] = rows.map((row, i) => {
    if (row.epoch !== epoch) throw new UserError(`rows[${i}].epoch: ${String(row.epoch)}, but rows[0] is of epoch ${epoch} (one epoch at a time)`);
    return {
      epoch,
      student: check.integer(`rows[${i}].student`, row.student, 0),
      taskLoss: check.metric(`rows[${i}].taskLoss`, row.taskLoss),
      distillLoss: check.metric(`rows[${i}].distillLoss`, row.distillLoss),
      trainMetric: check.metric(`rows[${i}].trainMetric`, row.trainMetric),
      valMetric: check.metric(`rows[${i}].valMetric`, row.valMetric),
      testMetric: check.metric(`rows[${i}].testMetric`, row.testMetric),
      epochMs: check.nonNegative(`rows[${i}].epochMs`, row.epochMs),
      elapsedMs: check.nonNegative(`rows[${i}].elapsedMs`, row.elapsedMs),
    };
  });
  return ctx.write(() => {
    const run = ctx.requireRunning(runId, 'metrics');
    const students = clean.map((r) => r.student);
    if (clean.length !== run.numStudents || new Set(students).size !== run.numStudents || students.some((s) => s >= run.numStudents)) {
      throw new UserError(`run ${run.id} epoch ${epoch}: expected one row for each student 0..${run.numStudents - 1}, got students [${students.join(', ')}]`);
    }
    if (ctx.statement('SELECT 1 FROM epoch_metrics WHERE run_id = ? AND epoch = ? LIMIT 1').get(run.id, epoch)) {
      throw new UserError(`run ${run.id}: epoch ${epoch} is already recorded (discard later epochs first when resuming from a checkpoint)`);
    }
    const insert = ctx.statement(
      `INSERT INTO epoch_metrics (run_id, student, epoch, task_loss, distill_loss, train_metric, val_metric, test_metric, epoch_ms, elapsed_ms)
       VALUES (@runId, @student, @epoch, @taskLoss, @distillLoss, @trainMetric, @valMetric, @testMetric, @epochMs, @elapsedMs)`,
    );
    for (const row of clean) insert.run({ ...row, runId: run.id });
    ctx.statement('UPDATE runs SET epochs_done = epochs_done + 1 WHERE id = ?').run(run.id);
    selectAtEpoch(ctx, run, epoch);
    touch(ctx, run.id);
    const best = ctx.statement(`SELECT ${BEST_COLUMNS} FROM students WHERE run_id = ? ORDER BY idx`).all(run.id) as StudentBest[];
    return { epoch, metrics: [...clean].sort((a, b) => a.student - b.student), best };
  });
}

/** All metric rows, by epoch then student; `afterEpoch` returns only later epochs (live updates). */
export function getMetrics(ctx: StoreContext, runId: number, options: { afterEpoch?: number } = {}): EpochMetricRow[] {
  const run = ctx.requireRun(runId);
  const after = check.integer('afterEpoch', options.afterEpoch ?? 0, 0);
  return ctx.statement(`SELECT ${METRIC_COLUMNS} FROM epoch_metrics WHERE run_id = ? AND epoch > ? ORDER BY epoch, student`).all(run.id, after) as EpochMetricRow[];
}

/**
 * Forgets everything recorded after `epoch` (metrics, heatmaps, distillation signal, checkpoints;
 * with epoch 0, the signal's epoch 0 too) and recomputes each student's best from what remains: the step before resuming from the checkpoint of that epoch.
 * Convergence figures are cleared (they describe a finished run). Returns the epochs removed.
 */
export function discardAfterEpoch(ctx: StoreContext, runId: number, epoch: number): number {
  check.integer('epoch', epoch, 0);
  return ctx.write(() => {
    const run = ctx.requireRun(runId);
    if (run.status === 'completed') throw new UserError(`run ${run.id} is completed: its records are final`);
    if (run.status === 'running' && !isOwnedHere(run)) throw new UserError(`run ${run.id} is running (${ownerText(run)}): its records cannot be discarded`);
    const removed = (ctx.statement('SELECT COUNT(DISTINCT epoch) AS n FROM epoch_metrics WHERE run_id = ? AND epoch > ?').get(run.id, epoch) as { n: number }).n;
    for (const table of ['epoch_metrics', 'alignment_matrices', 'distillation_signal', 'checkpoints']) {
      ctx.statement(`DELETE FROM ${table} WHERE run_id = ? AND epoch > ?`).run(run.id, epoch);
    }
    ctx.statement(EPOCHS_DONE_SQL).run(run.id);
    // The signal's epoch 0 is the first look of a run that starts from its initial weights, which a
    // resume without a checkpoint does again; a resume from epoch e > 0 does not record epoch e.
    if (epoch === 0) ctx.statement('DELETE FROM distillation_signal WHERE run_id = ?').run(run.id);
    reselect(ctx, run);
    ctx.statement('UPDATE students SET epochs_to_95 = NULL, seconds_to_95 = NULL, epochs_to_99 = NULL, seconds_to_99 = NULL WHERE run_id = ?').run(run.id);
    if (removed > 0) insertEvent(ctx, run.id, 'info', 'discard', `discarded ${removed} epoch(s) after epoch ${epoch}`);
    return removed;
  });
}
