import type { ExperimentEvent } from '../runs/record-events';

/**
 * Messages between the training host and a training worker (one OS process per run). The host
 * spawns the worker, sends `start`, may send `cancel`; the worker posts the UI's own events as it
 * records them, ends with the run's status as stored, and exits. The host forwards every event
 * unchanged. The same messages travel over node's child_process IPC (`process.send`) and over
 * Electron's utilityProcess (`process.parentPort.postMessage`): both carry plain JSON values.
 */

export type HostToWorker =
  | { type: 'start'; runId: number; resume: boolean; databasePath: string; cacheDir: string }
  /** stop after the current epoch; the run ends `cancelled` */
  | { type: 'cancel' };

/** What a worker may post: the events of its run, and the backend it trains on. */
export type WorkerToHost = ExperimentEvent;

/** The host's view of one worker process, whatever spawned it. */
export interface WorkerHandle {
  /** OS process id, once known */
  readonly pid: number | undefined;
  send(message: HostToWorker): void;
  onMessage(listener: (message: WorkerToHost) => void): void;
  /** called once when the process is gone; `error` when it could not be started at all */
  onExit(listener: (exit: WorkerExit) => void): void;
  kill(signal?: NodeJS.Signals): void;
}

export interface WorkerExit {
  code: number | null;
  signal: string | null;
  error?: string;
}

/** Starts one worker process for a run (node fork by default; the Electron shell injects utilityProcess). */
export type SpawnWorker = (runId: number) => WorkerHandle;

/** Every run event a worker may post: the record lists each ExperimentEvent type, so a new one cannot be dropped here unnoticed. */
const RUN_EVENT_TYPES = new Set(
  Object.keys({ 'run.status': true, 'run.epoch': true, 'run.alignment': true, 'run.signal': true, 'run.log': true } satisfies Record<Exclude<ExperimentEvent['type'], 'backend'>, true>),
);

/** Messages come from another process: check the shape before trusting it. */
export function isWorkerMessage(value: unknown): value is WorkerToHost {
  if (typeof value !== 'object' || value === null) return false;
  const message = value as { type?: unknown; runId?: unknown; backend?: unknown };
  if (message.type === 'backend') return typeof message.backend === 'object' && message.backend !== null;
  return typeof message.type === 'string' && RUN_EVENT_TYPES.has(message.type) && Number.isSafeInteger(message.runId);
}

export function isHostMessage(value: unknown): value is HostToWorker {
  if (typeof value !== 'object' || value === null) return false;
  const message = value as { type?: unknown; runId?: unknown; resume?: unknown; databasePath?: unknown; cacheDir?: unknown };
  if (message.type === 'cancel') return true;
  return (
    message.type === 'start' &&
    Number.isSafeInteger(message.runId) &&
    typeof message.resume === 'boolean' &&
    typeof message.databasePath === 'string' &&
    typeof message.cacheDir === 'string'
  );
}

/** How an abnormal exit reads in the run's error. */
export function describeExit(exit: WorkerExit): string {
  if (exit.error) return `training process could not run: ${exit.error}`;
  if (exit.signal) return `training process exited with signal ${exit.signal}`;
  return `training process exited with code ${exit.code ?? 'unknown'} before the run finished`;
}
