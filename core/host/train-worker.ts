/**
 * Entry point of a training worker process: `node bin/run-ts.js core/host/train-worker.ts`, forked
 * by the training host with an IPC channel, or started by Electron's utilityProcess (parentPort).
 * One run per process: it exits when the run has ended.
 */
import type { WorkerToHost } from './worker-protocol';
import { parentChannel } from './ipc-channel';
import { serveWorker, type WorkerTransport } from './worker-runner';

interface ParentPort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (event: { data: unknown }) => void): void;
}

function parentTransport(): WorkerTransport & { flush(): Promise<void> } {
  const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;
  if (parentPort) {
    return {
      post: (message: WorkerToHost) => parentPort.postMessage(message),
      onMessage: (listener) => parentPort.on('message', (event) => listener(event.data)),
      flush: () => new Promise((resolve) => setTimeout(resolve, 50)),
    };
  }
  // The host is gone: leave the run `running`; the next host start marks it interrupted (resumable).
  const channel = parentChannel<WorkerToHost>('train-worker');
  return { post: channel.post, onMessage: (listener) => process.on('message', listener), flush: channel.flush };
}

// Ctrl-C in a terminal reaches the whole process group: the host decides when a worker stops.
process.on('SIGINT', () => {});
const transport = parentTransport();
await serveWorker(transport);
// Deliver the last messages, then leave (backends may keep handles open otherwise).
await transport.flush();
process.exit(0);
