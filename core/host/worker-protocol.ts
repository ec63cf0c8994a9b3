import type { BackendInfo, EpochMetricRow, RunStatus } from '../../contract/api';

/**
 * Messages between the training host and a training worker (one OS process per run). The host
 * spawns the worker, sends `start`, may send `cancel`; the worker reports what it records and exits
 * when the run ends. The same messages travel over node's child_process IPC (`process.send`) and
 * over Electron's utilityProcess (`process.parentPort.postMessage`): both carry plain JSON values.
 */

export type HostToWorker =
  | { type: 'start'; runId: number; resume: boolean; databasePath: string; cacheDir: string }
  /** stop after the current epoch; the run ends `cancelled` */
  | { type: 'cancel' };

export type WorkerToHost =
  /** the run went to `running` in the store */
  | { type: 'started'; runId: number; plannedEpochs: number; startEpoch: number; backend: BackendInfo }
  /** an epoch was recorded; `metrics` are its rows as stored (one per student) */
  | { type: 'epoch'; runId: number; epoch: number; plannedEpochs: number; metrics: EpochMetricRow[] }
  /** alignment heatmaps of an epoch were recorded */
  | { type: 'alignment'; runId: number; epoch: number }
  | { type: 'log'; runId: number; level: 'info' | 'warn' | 'error'; message: string }
  /** the run ended with this status in the store; the worker exits next */
  | { type: 'finished'; runId: number; status: RunStatus; error: string | null };

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

const WORKER_MESSAGE_TYPES = new Set(['started', 'epoch', 'alignment', 'log', 'finished']);

/** Messages come from another process: check the shape before trusting it. */
export function isWorkerMessage(value: unknown): value is WorkerToHost {
  if (typeof value !== 'object' || value === null) return false;
  const message = value as { type?: unknown; runId?: unknown };
  return typeof message.type === 'string' && WORKER_MESSAGE_TYPES.has(message.type) && Number.isSafeInteger(message.runId);
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
