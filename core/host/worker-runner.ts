import type { BackendInfo } from '../../contract/api';
import { UserError } from '../errors';
import { openStore, type ExperimentStore } from '../store';
import type { BackendReport } from '../tensor/backend';
import { runExperiment, type ExperimentEvent } from '../train/run-experiment';
import { isHostMessage, type HostToWorker, type WorkerToHost } from './worker-protocol';

/** The worker's side of the channel to its host (node IPC or Electron's parentPort). */
export interface WorkerTransport {
  post(message: WorkerToHost): void;
  onMessage(listener: (message: unknown) => void): void;
}

export function backendInfoOf(report: BackendReport): BackendInfo {
  return {
    backend: report.backend,
    graphOps: report.graphOps,
    threads: report.threads,
    kernelThreads: report.kernelThreads,
    adapter: report.adapter ?? null,
    skipped: report.skipped.map((s) => ({ backend: s.backend, reason: s.reason })),
  };
}

/**
 * Waits for `start`, trains that run through runExperiment (which records everything in the store)
 * and reports to the host as it goes. Resolves once the run has ended and the store is closed.
 */
export function serveWorker(transport: WorkerTransport): Promise<void> {
  return new Promise((resolve) => {
    const cancel = new AbortController();
    let started = false;
    transport.onMessage((raw) => {
      if (!isHostMessage(raw)) return;
      const message: HostToWorker = raw;
      if (message.type === 'cancel') cancel.abort();
      else if (!started) {
        started = true;
        void trainRun(message, transport, cancel.signal).then(resolve);
      }
    });
  });
}

async function trainRun(start: Extract<HostToWorker, { type: 'start' }>, transport: WorkerTransport, signal: AbortSignal): Promise<void> {
  const { runId } = start;
  let store: ExperimentStore | null = null;
  try {
    store = openStore(start.databasePath, { mustExist: true });
    const opened = store;
    let plannedEpochs = 0;
    await runExperiment({
      store: opened,
      runId,
      resume: start.resume,
      cacheDir: start.cacheDir,
      signal,
      onEvent: (event) => {
        if (event.type === 'started') plannedEpochs = event.plannedEpochs;
        const message = messageOf(opened, runId, plannedEpochs, event);
        if (message) transport.post(message);
      },
    });
  } catch (error) {
    const text = error instanceof UserError ? error.message : `${(error as Error)?.message ?? String(error)}`;
    if (!(error instanceof UserError)) process.stderr.write(`alignahead worker (run ${runId}): ${(error as Error)?.stack ?? String(error)}\n`);
    // runExperiment marks failures once the run is running; one that failed before (dataset
    // missing, backend unavailable) is still queued and must not wait for ever.
    markFailedIfUnfinished(store, runId, text);
  } finally {
    const run = safeGetRun(store, runId);
    if (run) transport.post({ type: 'finished', runId, status: run.status, error: run.error });
    store?.close();
  }
}

function messageOf(store: ExperimentStore, runId: number, plannedEpochs: number, event: ExperimentEvent): WorkerToHost | null {
  switch (event.type) {
    case 'started':
      return { type: 'started', runId, plannedEpochs: event.plannedEpochs, startEpoch: event.startEpoch, backend: backendInfoOf(event.backend) };
    case 'epoch':
      // The rows exactly as recorded (non-finite values already null), so live and stored views agree.
      return { type: 'epoch', runId, epoch: event.epoch, plannedEpochs, metrics: store.getMetrics(runId, { afterEpoch: event.epoch - 1 }).filter((m) => m.epoch === event.epoch) };
    case 'alignment':
      return { type: 'alignment', runId, epoch: event.epoch };
    case 'log':
      return { type: 'log', runId, level: event.level, message: event.message };
    default:
      return null;
  }
}

function safeGetRun(store: ExperimentStore | null, runId: number) {
  try {
    return store?.getRun(runId) ?? null;
  } catch {
    return null;
  }
}

function markFailedIfUnfinished(store: ExperimentStore | null, runId: number, error: string): void {
  const run = safeGetRun(store, runId);
  if (!store || !run || (run.status !== 'queued' && run.status !== 'running')) return;
  try {
    store.setStatus(runId, 'failed', { error });
  } catch (failure) {
    process.stderr.write(`alignahead worker (run ${runId}): could not record the failure: ${(failure as Error)?.message}\n`);
  }
}
