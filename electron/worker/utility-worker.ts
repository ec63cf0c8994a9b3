/**
 * Entry of a training worker inside an Electron utility process: core/host/train-worker.ts over the
 * parentPort, without top-level await so it can be bundled as CommonJS.
 */
import { serveWorker } from '../../core/host/worker-runner';
import { electronParentPort, parentPortTransport } from '../../core/host/worker-transports';

const port = electronParentPort();
if (!port) {
  process.stderr.write('alignahead utility worker: no parentPort (start it with utilityProcess.fork)\n');
  process.exit(2);
}
const transport = parentPortTransport(port);

serveWorker(transport)
  .then(() => transport.flush())
  .then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`alignahead utility worker: ${(error as Error)?.stack ?? String(error)}\n`);
      process.exit(1);
    },
  );
