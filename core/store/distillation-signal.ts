import { SIGNAL_STATES, type DistillationSignalRow, type SignalStateName } from '../../contract/distillation-signal';
import { UserError } from '../errors';
import type { StoreContext } from './context';
import * as check from './validate';

/**
 * The distillation-signal diagnostic (contract/distillation-signal.ts): per epoch (0 = before
 * training), ordered student pair and planned layer pair, the peer's d/τ quartiles, the KL per node
 * and the structure contrasts. Non-finite figures are stored as null.
 */

const SIGNAL_COLUMNS = `epoch, student, peer, student_layer AS studentLayer, peer_layer AS peerLayer, tau,
  distance_over_tau_q1 AS distanceOverTauQ1, distance_over_tau_median AS distanceOverTauMedian, distance_over_tau_q3 AS distanceOverTauQ3,
  mean_kl AS meanKl, contrast, student_contrast AS studentContrast, state`;

const FIGURES = ['distanceOverTauQ1', 'distanceOverTauMedian', 'distanceOverTauQ3', 'meanKl', 'contrast', 'studentContrast'] as const;

/** Records one epoch's rows, all in one transaction (an epoch's diagnostic is whole or absent). */
export function recordSignal(ctx: StoreContext, runId: number, rows: readonly DistillationSignalRow[]): void {
  if (!Array.isArray(rows) || rows.length === 0) throw new UserError('recordSignal: expected a non-empty array of rows');
  const epoch = check.integer('rows[0].epoch', rows[0]?.epoch, 0);
  ctx.write(() => {
    const run = ctx.requireRunning(runId, 'distillation signal');
    const lastStudent = run.numStudents - 1;
    const keys = new Set<string>();
    const clean = rows.map((row, i) => {
      const where = `rows[${i}]`;
      if (row.epoch !== epoch) throw new UserError(`${where}.epoch: ${String(row.epoch)}, but rows[0] is of epoch ${epoch} (one epoch at a time)`);
      const student = check.integer(`${where}.student`, row.student, 0, lastStudent);
      const peer = check.integer(`${where}.peer`, row.peer, 0, lastStudent);
      if (student === peer) throw new UserError(`${where}: student ${student} cannot learn from itself`);
      const studentLayer = check.integer(`${where}.studentLayer`, row.studentLayer, 0, run.numLayers - 1);
      const peerLayer = check.integer(`${where}.peerLayer`, row.peerLayer, 0, run.numLayers - 1);
      const key = `${student}:${peer}:${studentLayer}:${peerLayer}`;
      if (keys.has(key)) throw new UserError(`${where}: pair ${studentLayer + 1}<-${peerLayer + 1} of students ${student}←${peer} given twice`);
      keys.add(key);
      const tau = check.metric(`${where}.tau`, row.tau);
      if (tau !== null && tau <= 0) throw new UserError(`${where}.tau: expected a positive number, got ${tau}`);
      if (!SIGNAL_STATES.includes(row.state as SignalStateName)) throw new UserError(`${where}.state: unknown state '${String(row.state)}' (one of ${SIGNAL_STATES.join(', ')})`);
      const figures = Object.fromEntries(FIGURES.map((f) => [f, check.metric(`${where}.${f}`, row[f])]));
      return { ...figures, epoch, student, peer, studentLayer, peerLayer, tau, state: row.state };
    });
    if (ctx.statement('SELECT 1 FROM distillation_signal WHERE run_id = ? AND epoch = ? LIMIT 1').get(run.id, epoch)) {
      throw new UserError(`run ${run.id}: the distillation signal of epoch ${epoch} is already recorded`);
    }
    const insert = ctx.statement(
      `INSERT INTO distillation_signal (run_id, epoch, student, peer, student_layer, peer_layer, tau, distance_over_tau_q1, distance_over_tau_median,
         distance_over_tau_q3, mean_kl, contrast, student_contrast, state)
       VALUES (@runId, @epoch, @student, @peer, @studentLayer, @peerLayer, @tau, @distanceOverTauQ1, @distanceOverTauMedian,
         @distanceOverTauQ3, @meanKl, @contrast, @studentContrast, @state)`,
    );
    for (const row of clean) insert.run({ ...row, runId: run.id });
  });
}

/** A run's rows by epoch, student, peer and layer pair; `afterEpoch` returns only later epochs (live updates). */
export function getSignal(ctx: StoreContext, runId: number, options: { afterEpoch?: number } = {}): DistillationSignalRow[] {
  const run = ctx.requireRun(runId);
  const after = options.afterEpoch === undefined ? -1 : check.integer('afterEpoch', options.afterEpoch, 0);
  return ctx
    .statement(`SELECT ${SIGNAL_COLUMNS} FROM distillation_signal WHERE run_id = ? AND epoch > ? ORDER BY epoch, student, peer, student_layer, peer_layer`)
    .all(run.id, after) as DistillationSignalRow[];
}
