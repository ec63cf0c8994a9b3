/**
 * Entry of a training worker inside an Electron utility process: the parentPort flavour of
 * core/host/train-worker.ts, without top-level await so it can be bundled as CommonJS.
 */
import { serveWorker } from '../../core/host/worker-runner';
import type { WorkerToHost } from '../../core/host/worker-protocol';

interface ParentPort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (event: { data: unknown }) => void): void;
}

const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;
if (!parentPort) {
  process.stderr.write('alignahead utility worker: no parentPort (start it with utilityProcess.fork)\n');
  process.exit(2);
}

serveWorker({
  post: (message: WorkerToHost) => parentPort.postMessage(message),
  onMessage: (listener) => parentPort.on('message', (event) => listener(event.data)),
})
  // postMessage is asynchronous: give the last messages a moment to leave before exiting
  .then(() => new Promise((resolve) => setTimeout(resolve, 50)))
  .then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`alignahead utility worker: ${(error as Error)?.stack ?? String(error)}\n`);
      process.exit(1);
    },
  );
