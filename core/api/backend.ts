import type { ApiEvent, CallResult } from '../../contract/api';
import { createTrainingHost, type TrainingHost } from '../host/training-host';
import type { SpawnWorker } from '../host/worker-protocol';
import { openStore, type ExperimentStore } from '../store';
import { createEventHub, type EventHub } from './event-hub';
import { createApiHandlers } from './handlers';

export interface BackendOptions {
  mode: 'electron' | 'serve';
  databasePath: string;
  /** settings.json lives here */
  dataDir: string;
  /** dataset download and import cache */
  cacheDir: string;
  /** folders datasets may be imported from; read on every import, so folders added later count */
  importRoots: string[];
  /** starts a training worker: a node child process unless given (the desktop app's are utility processes) */
  spawnWorker?: SpawnWorker;
  /** a listener from the start: the host reports runs it finds interrupted as soon as it is created */
  onEvent?: (event: ApiEvent) => void;
  log?: (line: string) => void;
  /** catalog downloads (and their checks) from `${mirror}/${file name}` [$ALIGNAHEAD_DOWNLOAD_MIRROR] */
  downloadMirror?: string;
}

/** The backend of serve mode and of the desktop app: the API, its events and what serves them. */
export interface Backend {
  readonly store: ExperimentStore;
  readonly host: TrainingHost;
  /** every ApiEvent, for each open window or browser connection */
  readonly events: EventHub;
  /** validates and runs a call; never throws */
  dispatch(name: unknown, input: unknown): Promise<CallResult<unknown>>;
  /** stops dataset downloads and the training workers (their runs become resumable), then closes the store */
  dispose(): Promise<void>;
}

/**
 * Builds the backend once for both shells: the experiment store, the event hub, the training host
 * (which from its start marks the runs of provably gone owners interrupted, and re-queues what a
 * previous session left queued) and the API handlers over them.
 */
export function createBackend(options: BackendOptions): Backend {
  const log = options.log ?? ((line: string) => process.stderr.write(line + '\n'));
  const store = openStore(options.databasePath);
  try {
    const events = createEventHub(log);
    if (options.onEvent) events.subscribe(options.onEvent);
    const publish = events.publish.bind(events);
    const host = createTrainingHost({ databasePath: options.databasePath, cacheDir: options.cacheDir, spawnWorker: options.spawnWorker, store, onEvent: publish, log });
    const handlers = createApiHandlers({
      store,
      host,
      mode: options.mode,
      dataDir: options.dataDir,
      cacheDir: options.cacheDir,
      databasePath: options.databasePath,
      importRoots: options.importRoots,
      publish,
      log,
      // a lab's own copy of the public files, for machines that cannot reach GitHub or DGL
      downloadBaseUrl: options.downloadMirror ?? (process.env.ALIGNAHEAD_DOWNLOAD_MIRROR?.trim() || undefined),
    });
    return {
      store,
      host,
      events,
      dispatch: (name, input) => handlers.dispatch(name, input),
      async dispose() {
        await handlers.dispose();
        await host.dispose();
        store.close();
      },
    };
  } catch (error) {
    store.close();
    throw error;
  }
}
