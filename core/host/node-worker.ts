import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { isWorkerMessage, type SpawnWorker, type WorkerExit, type WorkerHandle, type WorkerToHost } from './worker-protocol';

const RUN_TS = fileURLToPath(new URL('../../bin/run-ts.js', import.meta.url));
const WORKER_ENTRY = fileURLToPath(new URL('./train-worker.ts', import.meta.url));

/**
 * The default spawner: `node bin/run-ts.js core/host/train-worker.ts` forked with an IPC channel.
 * The worker's stdout/stderr go to ours, so its crashes show up in the server log.
 */
export const forkNodeWorker: SpawnWorker = () => {
  // execArgv: [] keeps the parent's flags (inspectors, test runners' loaders) out of the worker.
  const child = fork(RUN_TS, [WORKER_ENTRY], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: [], serialization: 'json' });
  const exitListeners: ((exit: WorkerExit) => void)[] = [];
  let exited = false;
  const finish = (exit: WorkerExit) => {
    if (exited) return;
    exited = true;
    for (const listener of exitListeners) listener(exit);
  };
  child.on('exit', (code, signal) => finish({ code, signal }));
  // 'error' without 'exit' means the process never started (or could not be signalled).
  child.on('error', (error) => {
    if (child.pid === undefined || child.exitCode !== null) finish({ code: null, signal: null, error: error.message });
  });
  const handle: WorkerHandle = {
    get pid() {
      return child.pid;
    },
    send(message) {
      if (child.connected) child.send(message);
    },
    onMessage(listener: (message: WorkerToHost) => void) {
      child.on('message', (message) => {
        if (isWorkerMessage(message)) listener(message);
      });
    },
    onExit(listener) {
      exitListeners.push(listener);
    },
    kill(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
  };
  return handle;
};
