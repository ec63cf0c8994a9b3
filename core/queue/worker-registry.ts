import type { Redis } from 'ioredis';
import type { QueueKeys } from './keys';

/**
 * Connected workers describe themselves in Redis: each refreshes a small JSON record with a short
 * expiry, so a worker that stops beating drops out of the list by itself. The coordinator reads the
 * list for the Workers panel (`workers.list`).
 */

export interface WorkerJobView {
  job: string;
  runId: number;
  epoch: number;
  plannedEpochs: number | null;
  startedAt: string;
}

export interface WorkerView {
  id: string;
  name: string;
  host: string;
  pid: number;
  /** the backend asked for with --backend ('auto' when none) and the one its last job ran on */
  requestedBackend: string;
  backend: string | null;
  /** the compute adapter its last job reported (a GPU's name, kernel threads), when known */
  adapter: string | null;
  concurrency: number;
  jobs: WorkerJobView[];
  startedAt: string;
  /** the worker's own clock at its last beat */
  lastHeartbeat: string;
}

/** A worker record expires after this many beat intervals without a beat. */
const EXPIRY_BEATS = 5;

export async function publishWorker(redis: Redis, keys: QueueKeys, view: WorkerView, beatMs: number): Promise<void> {
  await redis.multi().sadd(keys.workers, view.id).set(keys.worker(view.id), JSON.stringify(view), 'PX', beatMs * EXPIRY_BEATS).exec();
}

export async function removeWorker(redis: Redis, keys: QueueKeys, workerId: string): Promise<void> {
  await redis.multi().srem(keys.workers, workerId).del(keys.worker(workerId)).exec();
}

/** Live workers, by name; records that expired are pruned from the set. */
export async function listWorkers(redis: Redis, keys: QueueKeys): Promise<WorkerView[]> {
  const ids = await redis.smembers(keys.workers);
  if (ids.length === 0) return [];
  const records = await redis.mget(ids.map((id) => keys.worker(id)));
  const gone = ids.filter((_, i) => records[i] === null);
  if (gone.length > 0) await redis.srem(keys.workers, ...gone);
  const views: WorkerView[] = [];
  for (const record of records) {
    if (record === null) continue;
    try {
      views.push(JSON.parse(record) as WorkerView);
    } catch {
      // a record that is not ours: not a worker
    }
  }
  return views.sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
}
