import type { ApiEvent, CallOutput } from '../../contract/api';
import { createQueueService, type QueueService } from '../queue/queue-service';
import type { ExperimentStore, RunRecord } from '../store';

/**
 * The API's queue calls (`queue.status`, `queue.configure`, `workers.list`) and how the run calls
 * treat a remote run: it is submitted to, cancelled through and resumed on the queue, never on this
 * machine's training host. The queue service is created here unless the caller brings one.
 */

export interface QueueApiDeps {
  store: ExperimentStore;
  databasePath: string;
  dataDir: string;
  cacheDir: string;
  publish: (event: ApiEvent) => void;
  log: (line: string) => void;
  queue?: QueueService;
}

export function createQueueApi(deps: QueueApiDeps) {
  const service =
    deps.queue ??
    createQueueService({ store: deps.store, databasePath: deps.databasePath, dataDir: deps.dataDir, cacheDir: deps.cacheDir, publish: deps.publish, log: deps.log });
  return {
    service,
    calls: {
      'queue.status': (): Promise<CallOutput<'queue.status'>> => service.status(),
      'queue.configure': ({ url }: { url: string | null }): Promise<CallOutput<'queue.configure'>> => service.configure(url),
      'workers.list': async (): Promise<CallOutput<'workers.list'>> => ({ queue: await service.status(), workers: await service.workers() }),
    },
    /** trained through the queue: its cancel, resume and rerun go there too */
    isRemote: (run: RunRecord) => run.queue !== null,
    dispose: () => service.close(),
  };
}
