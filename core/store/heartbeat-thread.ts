import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { RunOwner } from './run-owner';

/**
 * The owner's heartbeat, from a thread of its own. A training epoch keeps the main thread busy for
 * as long as it lasts (tens of seconds on big graphs), so a timer there would fall silent exactly
 * when liveness matters; this thread keeps beating while the process lives, and stops with it.
 *
 * The thread is a few lines of plain JavaScript run with `eval`, so it needs no bundle of its own in
 * the desktop app; it loads better-sqlite3 from the path this module resolves. Its one statement
 * only touches a run that is still running under this owner: once the run ends, is taken over, or
 * is deleted, the update changes nothing and the thread stops.
 */

const HEARTBEAT_SQL = `UPDATE runs SET heartbeat_at = @now WHERE id = @id AND status = 'running' AND pid = @pid AND owner_host IS @host`;

const THREAD_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const Database = require(workerData.sqlitePath);
const db = new Database(workerData.databasePath, { fileMustExist: true });
db.pragma('busy_timeout = 2000');
const beat = db.prepare(workerData.sql);
let misses = 0;
const tick = () => {
  try {
    const { changes } = beat.run({ now: new Date().toISOString(), ...workerData.params });
    if (changes === 0) { clearInterval(timer); db.close(); parentPort.postMessage('ended'); }
    misses = 0;
  } catch (error) {
    // a busy or briefly unwritable database: the next beat tries again
    if (++misses === 3) parentPort.postMessage('failing: ' + (error && error.message));
  }
};
const timer = setInterval(tick, workerData.intervalMs);
tick();
`;

declare const require: NodeJS.Require | undefined;

/**
 * better-sqlite3 as this module loads it: in the desktop bundle, `require` resolves from the bundle
 * (whose node_modules holds the build for Electron), from the sources it resolves next to them.
 */
function sqliteModulePath(): string {
  return (typeof require === 'function' ? require : createRequire(import.meta.url)).resolve('better-sqlite3');
}

export interface Heartbeat {
  /** stops beating; resolves once the thread has closed its connection */
  stop(): Promise<void>;
}

export function startHeartbeatThread(options: {
  databasePath: string;
  runId: number;
  owner: RunOwner;
  intervalMs: number;
  onProblem?: (message: string) => void;
}): Heartbeat {
  const worker = new Worker(THREAD_SOURCE, {
    eval: true,
    workerData: {
      sqlitePath: sqliteModulePath(),
      databasePath: options.databasePath,
      sql: HEARTBEAT_SQL,
      params: { id: options.runId, pid: options.owner.pid, host: options.owner.host },
      intervalMs: options.intervalMs,
    },
  });
  // The heartbeat never keeps a finished process alive.
  worker.unref();
  worker.on('message', (message: string) => {
    if (message !== 'ended') options.onProblem?.(`heartbeat of run ${options.runId}: ${message}`);
  });
  worker.on('error', (error) => options.onProblem?.(`heartbeat of run ${options.runId} stopped: ${error.message}`));
  return {
    async stop() {
      await worker.terminate();
    },
  };
}
