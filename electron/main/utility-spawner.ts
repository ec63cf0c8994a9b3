import type { UtilityProcess } from 'electron';
import { isWorkerMessage, type SpawnWorker, type WorkerExit, type WorkerHandle, type WorkerToHost } from '../../core/host/worker-protocol';

/**
 * Training workers in the desktop app: one Electron utility process per run (Chromium's process
 * model, so they show up in the task manager and die with the app), speaking the same message
 * protocol as the node-forked workers of serve mode and the CLI.
 */
export type ForkUtility = (modulePath: string, args: string[], options: { serviceName: string; stdio: 'inherit' }) => UtilityProcess;

export function utilityProcessSpawner(fork: ForkUtility, workerEntryPath: string): SpawnWorker {
  return (runId) => wrapUtilityProcess(fork(workerEntryPath, [], { serviceName: `Alignahead training (run ${runId})`, stdio: 'inherit' }));
}

/** Adapts a UtilityProcess to the host's WorkerHandle; the exit is reported once. */
export function wrapUtilityProcess(child: UtilityProcess): WorkerHandle {
  const exitListeners: ((exit: WorkerExit) => void)[] = [];
  let exited: WorkerExit | null = null;
  let fatal: string | undefined;
  const finish = (exit: WorkerExit) => {
    if (exited) return;
    exited = exit;
    for (const listener of exitListeners) listener(exit);
  };
  child.on('error', (type, location) => {
    fatal = `${type} at ${location}`;
  });
  child.on('exit', (code) => finish({ code, signal: null, error: fatal }));
  return {
    get pid() {
      return child.pid;
    },
    send(message) {
      if (exited) return;
      child.postMessage(message);
    },
    onMessage(listener: (message: WorkerToHost) => void) {
      child.on('message', (message: unknown) => {
        if (isWorkerMessage(message)) listener(message);
      });
    },
    onExit(listener) {
      if (exited) listener(exited);
      else exitListeners.push(listener);
    },
    kill() {
      // utilityProcess has no signals: kill() is SIGTERM on POSIX, TerminateProcess on Windows
      if (!exited) child.kill();
    },
  };
}
