import type { ApiEvent, CallName, CallResult } from '../../contract/api';
import { createBackend } from '../../core/api/backend';
import type { SpawnWorker } from '../../core/host/worker-protocol';
import type { DesktopDataPaths } from './data-paths';

export interface DesktopBackend {
  dispatch(name: CallName, input: unknown): Promise<CallResult<unknown>>;
  /**
   * Lets datasets be imported from a folder the user picked in the native Import dialog (a
   * deliberate choice, like a browser's file picker granting access to the file chosen).
   */
  allowImportsFrom(folder: string): void;
  /** stops the training workers (their runs become resumable) and closes the store */
  dispose(): Promise<void>;
}

/**
 * The backend serve mode runs (core/api/backend.ts), for the desktop: workers come from the
 * injected spawner (utility processes), every event goes to `onEvent` (the open windows), and
 * datasets may be imported from the home folder, the cache, and folders the user picks.
 */
export function createDesktopBackend(
  options: DesktopDataPaths & { homeDir: string; spawnWorker: SpawnWorker; onEvent(event: ApiEvent): void; log(line: string): void },
): DesktopBackend {
  const importRoots = [options.homeDir, options.cacheDir];
  const backend = createBackend({
    mode: 'electron',
    databasePath: options.databasePath,
    dataDir: options.dataDir,
    cacheDir: options.cacheDir,
    importRoots,
    spawnWorker: options.spawnWorker,
    onEvent: options.onEvent,
    log: options.log,
  });
  return {
    dispatch: (name, input) => backend.dispatch(name, input),
    allowImportsFrom(folder) {
      if (!importRoots.includes(folder)) importRoots.push(folder);
    },
    dispose: () => backend.dispose(),
  };
}
