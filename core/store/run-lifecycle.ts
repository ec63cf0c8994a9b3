import type { EventLevel, RunStatus } from '../../contract/api';
import { UserError } from '../errors';
import type { StoreContext } from './context';
import { insertEvent } from './events';
import { startHeartbeatThread, type Heartbeat } from './heartbeat-thread';
import { runFromRow, type RunRow } from './rows';
import { currentOwner, ownerGoneReason, type RunOwner } from './run-owner';
import { canTransition, checkStatus, transitionError } from './run-status';
import type { HeartbeatReply, RunRecord } from './types';
import * as check from './validate';

/**
 * A run's lifecycle in the store: status changes (the rules are in run-status.ts), the owner's
 * claim and heartbeat, cancellation, and the one sweep that marks runs of a gone owner interrupted.
 */

/**
 * Moves a run along its lifecycle; a refused transition is a UserError naming it. Going to running
 * claims the run for its owner (default: this process) and records the first start time; since
 * running → running is refused, two processes can never both claim a run. An ending records
 * finishedAt and, for failures, the error. Each change is logged as an event.
 */
export function setStatus(ctx: StoreContext, id: number, status: RunStatus, options: { error?: string; owner?: RunOwner; reason?: string } = {}): RunRecord {
  checkStatus(status);
  const error = options.error === undefined ? null : check.text('error', options.error, 20_000);
  const owner = status === 'running' ? checkOwner(options.owner ?? currentOwner()) : null;
  return ctx.write(() => {
    const run = ctx.requireRun(id);
    if (status === 'running' && run.status === 'running') throw new UserError(`run ${run.id} is already running (${ownerText(run)}); cancel it first`);
    changeStatus(ctx, run, status, { error, owner, reason: options.reason });
    return ctx.requireRun(id);
  });
}

/**
 * Keeps a running run's heartbeat fresh from a thread of its own until `stop` (or the end of the
 * process, or the run leaving `running`). The owner must be this process. An in-memory database
 * has no other reader, so it needs none.
 */
export function startHeartbeat(ctx: StoreContext, runId: number, onProblem?: (message: string) => void): Heartbeat {
  const run = ctx.requireRunning(runId, 'heartbeat');
  if (!isOwnedHere(run)) throw new UserError(`run ${run.id} is owned by ${ownerText(run)}, not by this process`);
  if (ctx.path === ':memory:' || ctx.path === '') return { stop: async () => {} };
  return startHeartbeatThread({ databasePath: ctx.path, runId: run.id, owner: currentOwner(), intervalMs: ctx.settings.heartbeatIntervalMs, onProblem });
}

/**
 * Called by the trainer between epochs: stamps heartbeatAt and tells it whether someone asked it
 * to stop. A run that is no longer `running` is left unchanged.
 */
export function heartbeat(ctx: StoreContext, id: number): HeartbeatReply {
  return ctx.write(() => {
    const run = ctx.requireRun(id);
    if (run.status === 'running') touch(ctx, run.id);
    return { status: run.status, cancelRequested: run.cancelRequested };
  });
}

/** Stamps a running run's heartbeat; callers hold the write transaction. */
export function touch(ctx: StoreContext, runId: number): void {
  const now = ctx.timestamp();
  ctx.statement('UPDATE runs SET heartbeat_at = ?, updated_at = ? WHERE id = ?').run(now, now, runId);
}

/**
 * Asks a run to stop: a queued run is cancelled at once; a running one is flagged, and its trainer
 * (seeing the flag through heartbeat) stops and sets `cancelled` itself.
 */
export function requestCancel(ctx: StoreContext, id: number): RunRecord {
  return ctx.write(() => {
    const run = ctx.requireRun(id);
    if (run.status === 'queued') {
      changeStatus(ctx, run, 'cancelled', { error: null, owner: null, reason: 'cancelled before it started' });
    } else if (run.status === 'running') {
      if (!run.cancelRequested) {
        ctx.statement('UPDATE runs SET cancel_requested = 1, updated_at = ? WHERE id = ?').run(ctx.timestamp(), run.id);
        insertEvent(ctx, run.id, 'info', 'cancel-requested', 'cancellation requested');
      }
    } else {
      throw new UserError(`run ${run.id} is ${run.status}: only queued or running runs can be cancelled`);
    }
    return ctx.requireRun(id);
  });
}

/**
 * Runs left `running` by an owner that is provably gone become `interrupted` (resumable); a run
 * whose owner may be alive is never touched (the rule is ownerGoneReason in run-owner.ts). The app,
 * serve mode and `runs list` all call this. Returns the runs it marked, as they are now.
 */
export function markInterruptedRuns(ctx: StoreContext): RunRecord[] {
  const running = () => (ctx.statement("SELECT * FROM runs WHERE status = 'running'").all() as RunRow[]).map(runFromRow);
  // Most calls find nothing to do: look before taking the write lock.
  if (running().length === 0) return [];
  return ctx.write(() => {
    const probe = ctx.settings.livenessProbe(ctx.settings.now());
    const marked: RunRecord[] = [];
    for (const run of running()) {
      const reason = ownerGoneReason(run.owner, run.heartbeatAt, probe);
      if (reason === null) continue;
      changeStatus(ctx, run, 'interrupted', { error: reason, owner: null });
      marked.push(ctx.requireRun(run.id));
    }
    return marked;
  });
}

/** Whether this process owns the run. */
export function isOwnedHere(run: RunRecord): boolean {
  const self = currentOwner();
  return run.owner !== null && run.owner.pid === self.pid && run.owner.host === self.host;
}

export function ownerText(run: RunRecord): string {
  if (!run.owner) return 'no owner recorded';
  return `process ${run.owner.pid}${run.owner.host ? ` on ${run.owner.host}` : ''}`;
}

/** The status change itself; callers hold the write transaction and have checked their inputs. */
function changeStatus(ctx: StoreContext, run: RunRecord, to: RunStatus, options: { error: string | null; owner: RunOwner | null; reason?: string }): void {
  if (!canTransition(run.status, to)) throw new UserError(transitionError(run.id, run.status, to));
  const now = ctx.timestamp();
  const running = to === 'running';
  const ending = to !== 'running' && to !== 'queued';
  ctx
    .statement(
      `UPDATE runs SET status = @to, cancel_requested = 0, error = @error, pid = @pid, owner_host = @host, owner_start = @start,
         started_at = CASE WHEN @running = 1 THEN COALESCE(started_at, @now) ELSE started_at END,
         heartbeat_at = CASE WHEN @running = 1 THEN @now ELSE heartbeat_at END,
         finished_at = CASE WHEN @ending = 1 THEN @now ELSE NULL END,
         updated_at = @now
       WHERE id = @id`,
    )
    .run({
      to,
      error: ending ? options.error : null,
      pid: running ? (options.owner?.pid ?? null) : null,
      host: running ? (options.owner?.host ?? null) : null,
      start: running ? (options.owner?.startToken ?? null) : null,
      running: running ? 1 : 0,
      ending: ending ? 1 : 0,
      now,
      id: run.id,
    });
  const detail = options.error ?? options.reason;
  const level: EventLevel = to === 'failed' ? 'error' : to === 'interrupted' ? 'warn' : 'info';
  insertEvent(ctx, run.id, level, 'status', `${run.status} → ${to}${detail ? `: ${detail}` : ''}`, JSON.stringify({ from: run.status, to }));
}

function checkOwner(owner: RunOwner): RunOwner {
  return {
    host: check.text('owner host', owner.host, 500),
    pid: check.integer('owner pid', owner.pid, 1),
    startToken: check.optionalText('owner start', owner.startToken, 500),
  };
}
