import { UserError } from '../errors';
import { runExperiment } from '../runs/run-experiment';
import { openStore, type ExperimentStore } from '../store';
import { isHostMessage, type HostToWorker, type WorkerToHost } from './worker-protocol';

/** The worker's side of the channel to its host (node IPC or Electron's parentPort). */
export interface WorkerTransport {
  post(message: WorkerToHost): void;
  onMessage(listener: (message: unknown) => void): void;
}

/**
 * Waits for `start`, trains that run through runExperiment (which records everything in the store)
 * and posts the UI's events as they are recorded. Resolves once the run has ended and the store is closed.
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
    await runExperiment({ store, runId, resume: start.resume, cacheDir: start.cacheDir, signal, onEvent: (event) => transport.post(event) });
  } catch (error) {
    const text = error instanceof UserError ? error.message : `${(error as Error)?.message ?? String(error)}`;
    if (!(error instanceof UserError)) process.stderr.write(`alignahead worker (run ${runId}): ${(error as Error)?.stack ?? String(error)}\n`);
    // runExperiment marks failures once the run is running; one that failed before (dataset
    // missing, backend unavailable) is still queued and must not wait for ever.
    markFailedIfUnfinished(store, runId, text);
  } finally {
    // How the run ended, as stored: the worker exits next.
    const run = safeGetRun(store, runId);
    if (run) transport.post({ type: 'run.status', runId, status: run.status, error: run.error });
    store?.close();
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
  // Running under another owner: that process claimed it first (two apps on one database); not ours to end.
  if (run.status === 'running' && run.owner?.pid !== process.pid) return;
  try {
    store.setStatus(runId, 'failed', { error });
  } catch (failure) {
    process.stderr.write(`alignahead worker (run ${runId}): could not record the failure: ${(failure as Error)?.message}\n`);
  }
}
