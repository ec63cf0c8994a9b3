import type { ApiEvent, CallName, CallResult } from '../contract/api';
import { createApiHandlers } from '../core/api/handlers';
import { createEventHub } from '../core/api/event-hub';
import { createTrainingHost } from '../core/host/training-host';
import type { SpawnWorker } from '../core/host/worker-protocol';
import { openStore } from '../core/store';
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
 * The same backend serve mode runs (store, event hub, training host, API handlers), wired for the
 * desktop: workers come from the injected spawner (utility processes) and every event goes to
 * `onEvent` (the open windows).
 */
export function createDesktopBackend(
  options: DesktopDataPaths & { homeDir: string; spawnWorker: SpawnWorker; onEvent(event: ApiEvent): void; log(line: string): void },
): DesktopBackend {
  const store = openStore(options.databasePath);
  const hub = createEventHub(options.log);
  hub.subscribe(options.onEvent);
  const host = createTrainingHost({
    databasePath: options.databasePath,
    cacheDir: options.cacheDir,
    spawnWorker: options.spawnWorker,
    onEvent: (event) => hub.publish(event),
    store,
    log: options.log,
  });
  // Read on every import, so folders granted later through the dialog count from then on.
  const importRoots = [options.homeDir, options.cacheDir];
  const handlers = createApiHandlers({
    mode: 'electron',
    store,
    host,
    dataDir: options.dataDir,
    databasePath: options.databasePath,
    cacheDir: options.cacheDir,
    importRoots,
    publish: (event) => hub.publish(event),
    log: options.log,
  });
  return {
    dispatch: (name, input) => handlers.dispatch(name, input),
    allowImportsFrom(folder) {
      if (!importRoots.includes(folder)) importRoots.push(folder);
    },
    async dispose() {
      await handlers.dispose();
      await host.dispose();
      store.close();
    },
  };
}
