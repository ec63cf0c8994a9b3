/**
 * Entry point of a training worker process: `node bin/run-ts.js core/host/train-worker.ts`, forked
 * by the training host with an IPC channel, or started by Electron's utilityProcess (parentPort).
 * One run per process: it exits when the run has ended.
 */
import { serveWorker } from './worker-runner';
import { electronParentPort, nodeIpcTransport, parentPortTransport } from './worker-transports';

const port = electronParentPort();
if (!port && !process.send) {
  process.stderr.write('train-worker: no channel to a host (start it through the training host)\n');
  process.exit(2);
}
// Ctrl-C in a terminal reaches the whole process group: the host decides when a worker stops.
process.on('SIGINT', () => {});
const transport = port ? parentPortTransport(port) : nodeIpcTransport();
await serveWorker(transport);
// Deliver the last messages, then leave (backends may keep handles open otherwise).
await transport.flush();
process.exit(0);
