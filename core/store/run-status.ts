import { RUN_STATUS_VALUES, type RunStatus } from '../../contract/enums';
import { UserError } from '../errors';

/**
 * The run lifecycle. A run is queued, then running, then ends completed, failed, cancelled or
 * interrupted (its process vanished). Completed is final. The other endings can be resumed: back to
 * queued (wait for a worker) or straight to running (a worker picks it up now).
 */
const ALLOWED: Record<RunStatus, readonly RunStatus[]> = {
  queued: ['running', 'cancelled', 'failed'],
  running: ['completed', 'failed', 'cancelled', 'interrupted'],
  completed: [],
  failed: ['queued', 'running'],
  cancelled: ['queued', 'running'],
  interrupted: ['queued', 'running'],
};

export function canTransition(from: RunStatus, to: RunStatus): boolean {
  return ALLOWED[from].includes(to);
}

/** Statuses in which a run holds no process and will not change by itself. */
export function isFinished(status: RunStatus): boolean {
  return status === 'completed' || status === 'failed' || status === 'cancelled' || status === 'interrupted';
}

/** Why a transition is refused, in words for the user. */
export function transitionError(runId: number, from: RunStatus, to: RunStatus): string {
  const allowed = ALLOWED[from];
  const options = allowed.length === 0 ? `a ${from} run is final` : `from ${from} it can go to ${allowed.join(', ')}`;
  return `run ${runId}: cannot change status from ${from} to ${to} (${options})`;
}

/** A status from outside (a filter, an API call): one of the known ones, or a UserError listing them. */
export function checkStatus(status: RunStatus): RunStatus {
  if (!RUN_STATUS_VALUES.includes(status)) throw new UserError(`status: unknown status '${String(status)}' (one of ${RUN_STATUS_VALUES.join(', ')})`);
  return status;
}
