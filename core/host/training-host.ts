import type { ApiEvent, BackendInfo } from '../../contract/api';
import { UserError } from '../errors';
import { openStore, type ExperimentStore, type RunRecord } from '../store';
import { forkNodeWorker } from './node-worker';
import { describeExit, type SpawnWorker, type WorkerExit, type WorkerHandle, type WorkerToHost } from './worker-protocol';

/**
 * Runs queued experiments, each in its own OS process, at most `maxConcurrent` at a time, in the
 * order they were queued. Workers write the store themselves and post the UI's events, which the
 * host forwards unchanged. The host takes care of endings the worker could not record: a process
 * that crashed or was killed while its run was `running` leaves the run `failed` with the reason.
 */

export interface TrainingHostOptions {
  databasePath: string;
  cacheDir: string;
  /** runs trained at once (default 1; see setMaxConcurrent) */
  maxConcurrent?: number;
  /** starts a worker process; default: node child_process.fork of train-worker.ts */
  spawnWorker?: SpawnWorker;
  onEvent: (event: ApiEvent) => void;
  /** the store to use for status changes; default: one opened on databasePath (closed by dispose) */
  store?: ExperimentStore;
  /** queue the runs a previous session left queued (default true) */
  requeueQueued?: boolean;
  /** how often runs whose owner is provably gone are marked interrupted [LIVENESS_SWEEP_MS] */
  livenessSweepMs?: number;
  log?: (line: string) => void;
}

export interface ActiveRun {
  runId: number;
  /** OS process id of its worker, once known */
  pid: number | undefined;
}

export interface TrainingHost {
  /** queues a run that is `queued` in the store; `resume` continues from its last checkpoint */
  enqueue(runId: number, options?: { resume?: boolean }): void;
  /**
   * Queued: cancelled at once. Running: asked to stop (the trainer stops after the current epoch
   * and records `cancelled`). Anything else: a UserError (409).
   */
  cancel(runId: number): RunRecord;
  /** kills the run's worker now, recording nothing more (used before deleting a running run) */
  terminate(runId: number): Promise<void>;
  setMaxConcurrent(count: number): void;
  readonly maxConcurrent: number;
  queuedRunIds(): number[];
  activeRuns(): ActiveRun[];
  /** the backend the latest worker reported, or null before any started */
  lastBackend(): BackendInfo | null;
  /** resolves when nothing is queued or running */
  whenIdle(): Promise<void>;
  /** stops every worker (SIGTERM, SIGKILL after graceMs); their runs become `interrupted` (resumable) */
  dispose(options?: { graceMs?: number }): Promise<void>;
}

type StopReason = 'cancel' | 'terminate' | 'dispose';

interface ActiveWorker {
  runId: number;
  handle: WorkerHandle;
  stopping: StopReason | null;
  exited: Promise<void>;
}

export const MAX_CONCURRENT_RUNS = 16;

/**
 * How often the host looks for runs whose owner has provably gone (a CLI trainer killed with
 * SIGKILL, another app's worker that crashed): they show as interrupted within this time.
 */
export const LIVENESS_SWEEP_MS = 5_000;

export function createTrainingHost(options: TrainingHostOptions): TrainingHost {
  const spawn = options.spawnWorker ?? forkNodeWorker;
  const ownStore = options.store === undefined;
  const store = options.store ?? openStore(options.databasePath);
  const log = options.log ?? ((line: string) => process.stderr.write(line + '\n'));
  const emit = (event: ApiEvent) => {
    try {
      options.onEvent(event);
    } catch (error) {
      log(`alignahead host: event listener failed: ${(error as Error)?.stack ?? String(error)}`);
    }
  };

  const queue: { runId: number; resume: boolean }[] = [];
  const active = new Map<number, ActiveWorker>();
  let maxConcurrent = checkConcurrency(options.maxConcurrent ?? 1);
  let backend: BackendInfo | null = null;
  let disposed = false;
  let idleWaiters: (() => void)[] = [];

  // Runs whose owner is provably gone (an earlier session's workers, a killed CLI trainer) are
  // interrupted; a live one, e.g. a CLI trainer on the same database, is left running.
  sweepOrphans();
  const sweeper = setInterval(sweepOrphans, options.livenessSweepMs ?? LIVENESS_SWEEP_MS);
  sweeper.unref();
  if (options.requeueQueued !== false) requeueLeftovers();

  function sweepOrphans(): void {
    try {
      for (const run of store.markInterruptedRuns()) {
        log(`alignahead: run ${run.id} is interrupted (resumable): ${run.error}`);
        statusEvent(run);
      }
    } catch (error) {
      log(`alignahead host: could not check the liveness of running runs: ${(error as Error)?.message ?? String(error)}`);
    }
    checkpointWal(active.size > 0 ? 'PASSIVE' : 'TRUNCATE');
  }

  /**
   * Keeps the WAL short while workers write (PASSIVE: never waits) and empties it when nothing
   * trains (TRUNCATE). A checkpoint that cannot finish now is simply tried at the next sweep.
   */
  function checkpointWal(mode: 'PASSIVE' | 'TRUNCATE'): void {
    try {
      store.checkpointWal(mode);
    } catch (error) {
      // SQLITE_BUSY on TRUNCATE: another process holds the database a moment longer; next sweep.
      if ((error as { code?: string }).code?.startsWith('SQLITE_BUSY')) return;
      log(`alignahead host: could not checkpoint the database's WAL: ${(error as Error)?.message ?? String(error)}`);
    }
  }

  function statusEvent(run: RunRecord): void {
    emit({ type: 'run.status', runId: run.id, status: run.status, error: run.error });
  }

  function checkIdle(): void {
    if (queue.length > 0 || active.size > 0) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  function pump(): void {
    while (!disposed && active.size < maxConcurrent && queue.length > 0) {
      const job = queue.shift()!;
      const run = store.getRun(job.runId);
      // Cancelled or deleted while it waited.
      if (!run || run.status !== 'queued') continue;
      start(job.runId, job.resume);
    }
    checkIdle();
  }

  function start(runId: number, resume: boolean): void {
    let handle: WorkerHandle;
    try {
      handle = spawn(runId);
    } catch (error) {
      fail(runId, describeExit({ code: null, signal: null, error: (error as Error)?.message ?? String(error) }));
      return;
    }
    let markExited!: () => void;
    const worker: ActiveWorker = { runId, handle, stopping: null, exited: new Promise((resolve) => (markExited = resolve)) };
    active.set(runId, worker);
    handle.onMessage((message) => onWorkerMessage(runId, message));
    handle.onExit((exit) => {
      onWorkerExit(worker, exit);
      markExited();
    });
    handle.send({ type: 'start', runId, resume, databasePath: options.databasePath, cacheDir: options.cacheDir });
  }

  /** A worker's events go out as they came: only one about another run is dropped. */
  function onWorkerMessage(runId: number, message: WorkerToHost): void {
    if (message.type === 'backend') backend = message.backend;
    else if (message.runId !== runId) return;
    emit(message);
  }

  /** The worker is gone: record the ending it could not record itself, then start the next run. */
  function onWorkerExit(worker: ActiveWorker, exit: WorkerExit): void {
    active.delete(worker.runId);
    try {
      const run = store.getRun(worker.runId);
      // A run another process claimed (two apps on one database) is not this worker's to end.
      const ownedElsewhere = run?.status === 'running' && run.owner !== null && run.owner.pid !== worker.handle.pid;
      if (run && !ownedElsewhere && (run.status === 'running' || run.status === 'queued')) {
        if (worker.stopping === 'cancel') {
          statusEvent(run.status === 'queued' ? store.requestCancel(run.id) : store.setStatus(run.id, 'cancelled', { reason: 'cancelled' }));
        } else if (worker.stopping === 'dispose') {
          // Queued ones stay queued for the next session; running ones can be resumed.
          if (run.status === 'running') statusEvent(store.setStatus(run.id, 'interrupted', { reason: 'the app was closed' }));
        } else {
          fail(run.id, describeExit(exit));
        }
      }
    } catch (error) {
      log(`alignahead host: could not record the end of run ${worker.runId}: ${(error as Error)?.stack ?? String(error)}`);
    }
    pump();
  }

  function fail(runId: number, error: string): void {
    try {
      const run = store.getRun(runId);
      if (!run || (run.status !== 'running' && run.status !== 'queued')) return;
      store.logEvent(runId, 'error', 'failure', error);
      statusEvent(store.setStatus(runId, 'failed', { error }));
    } catch (failure) {
      log(`alignahead host: could not mark run ${runId} failed: ${(failure as Error)?.stack ?? String(failure)}`);
    }
  }

  const host: TrainingHost = {
    enqueue(runId, { resume = false } = {}) {
      if (disposed) throw new UserError('the training host is shut down');
      const run = store.getRun(runId);
      if (!run) throw new UserError(`run ${runId} not found`);
      if (run.status !== 'queued') throw new UserError(`run ${runId} is ${run.status}: only queued runs can be started`);
      if (!active.has(runId) && !queue.some((job) => job.runId === runId)) queue.push({ runId, resume });
      pump();
    },

    cancel(runId) {
      const run = store.getRun(runId);
      if (!run) throw new UserError(`run ${runId} not found`);
      const worker = active.get(runId);
      if (worker && run.status === 'queued') {
        // Its worker is still loading: stop the process, or it would set the cancelled run running.
        const cancelled = store.requestCancel(runId);
        worker.stopping = 'cancel';
        worker.handle.kill('SIGKILL');
        statusEvent(cancelled);
        return cancelled;
      }
      const index = queue.findIndex((job) => job.runId === runId);
      if (index >= 0) queue.splice(index, 1);
      const updated = store.requestCancel(runId);
      if (worker) worker.handle.send({ type: 'cancel' });
      if (updated.status !== run.status) statusEvent(updated);
      checkIdle();
      return updated;
    },

    async terminate(runId) {
      const index = queue.findIndex((job) => job.runId === runId);
      if (index >= 0) queue.splice(index, 1);
      const worker = active.get(runId);
      if (!worker) return checkIdle();
      worker.stopping = 'terminate';
      worker.handle.kill('SIGKILL');
      await worker.exited;
    },

    setMaxConcurrent(count) {
      maxConcurrent = checkConcurrency(count);
      pump();
    },

    get maxConcurrent() {
      return maxConcurrent;
    },

    queuedRunIds: () => queue.map((job) => job.runId),
    activeRuns: () => [...active.values()].map((w) => ({ runId: w.runId, pid: w.handle.pid })),
    lastBackend: () => backend,

    whenIdle() {
      if (queue.length === 0 && active.size === 0) return Promise.resolve();
      return new Promise((resolve) => idleWaiters.push(resolve));
    },

    async dispose({ graceMs = 3000 } = {}) {
      if (disposed) return;
      disposed = true;
      clearInterval(sweeper);
      queue.length = 0;
      const workers = [...active.values()];
      for (const worker of workers) {
        worker.stopping ??= 'dispose';
        worker.handle.kill('SIGTERM');
      }
      const timer = setTimeout(() => workers.forEach((w) => w.handle.kill('SIGKILL')), graceMs);
      await Promise.all(workers.map((w) => w.exited));
      clearTimeout(timer);
      checkIdle();
      if (ownStore) store.close();
    },
  };
  pump();
  return host;

  function requeueLeftovers(): void {
    // Oldest first, as they were queued.
    const leftovers = store.listRuns({ status: 'queued', limit: 10_000 }).map((r) => r.id).sort((a, b) => a - b);
    for (const runId of leftovers) queue.push({ runId, resume: true });
  }
}

function checkConcurrency(count: number): number {
  if (!Number.isInteger(count) || count < 1 || count > MAX_CONCURRENT_RUNS) {
    throw new UserError(`maxConcurrentRuns: expected a whole number from 1 to ${MAX_CONCURRENT_RUNS}, got ${count}`);
  }
  return count;
}
