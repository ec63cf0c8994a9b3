import { UserError } from '../errors';
import type { StoreContext } from './context';
import type { Checkpoint, CheckpointInfo } from './types';
import * as check from './validate';

/** Training state for resume, kept inside the database so deleting or copying a run is one operation. */

/**
 * Stores the training state after `epoch` (replacing one of the same epoch) and drops the oldest
 * beyond the newest `keepCheckpoints`, in one transaction.
 */
export function saveCheckpoint(ctx: StoreContext, runId: number, epoch: number, bytes: Uint8Array): void {
  check.integer('epoch', epoch, 0);
  if (!(bytes instanceof Uint8Array)) throw new UserError('saveCheckpoint: expected the checkpoint as a Uint8Array');
  const data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  ctx.write(() => {
    const run = ctx.requireRunning(runId, 'checkpoints');
    ctx.statement('INSERT OR REPLACE INTO checkpoints (run_id, epoch, created_at, data) VALUES (?, ?, ?, ?)').run(run.id, epoch, ctx.timestamp(), data);
    ctx
      .statement(
        `DELETE FROM checkpoints WHERE run_id = @run_id AND epoch NOT IN (
           SELECT epoch FROM checkpoints WHERE run_id = @run_id ORDER BY epoch DESC LIMIT @keep)`,
      )
      .run({ run_id: run.id, keep: ctx.settings.keepCheckpoints });
  });
}

/** The newest checkpoint, or null. */
export function latestCheckpoint(ctx: StoreContext, runId: number): Checkpoint | null {
  const run = ctx.requireRun(runId);
  const row = ctx.statement('SELECT epoch, created_at AS createdAt, data FROM checkpoints WHERE run_id = ? ORDER BY epoch DESC LIMIT 1').get(run.id) as
    | { epoch: number; createdAt: string; data: Buffer }
    | undefined;
  if (!row) return null;
  return { epoch: row.epoch, createdAt: row.createdAt, bytes: row.data.byteLength, data: new Uint8Array(row.data) };
}

/** Checkpoints kept for a run (without their bytes), newest first. */
export function listCheckpoints(ctx: StoreContext, runId: number): CheckpointInfo[] {
  const run = ctx.requireRun(runId);
  return ctx.statement('SELECT epoch, created_at AS createdAt, length(data) AS bytes FROM checkpoints WHERE run_id = ? ORDER BY epoch DESC').all(run.id) as CheckpointInfo[];
}
