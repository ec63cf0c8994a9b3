import { UserError } from '../errors';
import type { StoreContext } from './context';
import { decodeFloat32, encodeFloat32 } from './float32-blob';
import type { AlignmentMatrix } from './types';
import * as check from './validate';

/** Alignment heatmaps: the L×L layer-distance matrices of every ordered student pair, by epoch. */

/**
 * Records the heatmaps of one epoch (0 = before training), all pairs in one transaction. `data` is
 * row-major rows×cols float32 and comes back bit-identical.
 */
export function recordAlignment(ctx: StoreContext, runId: number, matrices: readonly AlignmentMatrix[]): void {
  if (!Array.isArray(matrices) || matrices.length === 0) throw new UserError('recordAlignment: expected a non-empty array of matrices');
  const epoch = check.integer('matrices[0].epoch', matrices[0].epoch, 0);
  ctx.write(() => {
    const run = ctx.requireRunning(runId, 'alignment matrices');
    const pairs = new Set<string>();
    const clean = matrices.map((m, i) => {
      const where = `matrices[${i}]`;
      if (m.epoch !== epoch) throw new UserError(`${where}.epoch: ${String(m.epoch)}, but matrices[0] is of epoch ${epoch} (one epoch at a time)`);
      const student = check.integer(`${where}.student`, m.student, 0, run.numStudents - 1);
      const peer = check.integer(`${where}.peer`, m.peer, 0, run.numStudents - 1);
      const rows = check.integer(`${where}.rows`, m.rows, 1, 10_000);
      const cols = check.integer(`${where}.cols`, m.cols, 1, 10_000);
      if (!(m.data instanceof Float32Array)) throw new UserError(`${where}.data: expected a Float32Array`);
      if (m.data.length !== rows * cols) throw new UserError(`${where}.data: ${m.data.length} values for a ${rows}×${cols} matrix`);
      const pair = `${student}→${peer}`;
      if (pairs.has(pair)) throw new UserError(`${where}: pair ${pair} given twice`);
      pairs.add(pair);
      return { student, peer, rows, cols, data: encodeFloat32(m.data) };
    });
    if (ctx.statement('SELECT 1 FROM alignment_matrices WHERE run_id = ? AND epoch = ? LIMIT 1').get(run.id, epoch)) {
      throw new UserError(`run ${run.id}: alignment matrices of epoch ${epoch} are already recorded`);
    }
    const insert = ctx.statement(
      'INSERT INTO alignment_matrices (run_id, epoch, student, peer, rows, cols, data) VALUES (@run_id, @epoch, @student, @peer, @rows, @cols, @data)',
    );
    for (const m of clean) insert.run({ ...m, run_id: run.id, epoch });
  });
}

/** Heatmaps of one epoch ('latest': the newest recorded), or of every epoch when none is given. */
export function getAlignment(ctx: StoreContext, runId: number, options: { epoch?: number | 'latest' } = {}): AlignmentMatrix[] {
  const run = ctx.requireRun(runId);
  let epoch = options.epoch;
  if (epoch === 'latest') {
    epoch = (ctx.statement('SELECT MAX(epoch) AS e FROM alignment_matrices WHERE run_id = ?').get(run.id) as { e: number | null }).e ?? undefined;
    if (epoch === undefined) return [];
  }
  const columns = 'epoch, student, peer, rows, cols, data';
  const rows =
    epoch === undefined
      ? ctx.statement(`SELECT ${columns} FROM alignment_matrices WHERE run_id = ? ORDER BY epoch, student, peer`).all(run.id)
      : ctx.statement(`SELECT ${columns} FROM alignment_matrices WHERE run_id = ? AND epoch = ? ORDER BY student, peer`).all(run.id, check.integer('epoch', epoch, 0));
  return (rows as (Omit<AlignmentMatrix, 'data'> & { data: Buffer })[]).map((row) => ({ ...row, data: decodeFloat32(row.data) }));
}

/** Epochs that have heatmaps, ascending. */
export function alignmentEpochs(ctx: StoreContext, runId: number): number[] {
  const run = ctx.requireRun(runId);
  return (ctx.statement('SELECT DISTINCT epoch FROM alignment_matrices WHERE run_id = ? ORDER BY epoch').all(run.id) as { epoch: number }[]).map((r) => r.epoch);
}
