/**
 * Every Redis name the queue uses, in one place. BullMQ keeps its own keys under `<prefix>:runs:*`
 * (the run jobs); ours sit beside them under the same prefix, so one Redis (or one db of it) can
 * hold several independent queues.
 */

export const DEFAULT_PREFIX = 'alignahead';
/** BullMQ queue name of the run jobs */
export const RUNS_QUEUE = 'runs';
/** consumer group of a results stream (one coordinator reads it) */
export const RESULTS_GROUP = 'coordinator';

export interface QueueKeys {
  prefix: string;
  /** the results stream a coordinator reads: every worker appends its messages here */
  results(coordinator: string): string;
  /** hash {lease, worker, host, pid, start}: who holds a job now; results of other leases are refused */
  lease(jobId: string): string;
  /** exists (with a short expiry) while the job's worker is alive: the coordinator's heartbeat source */
  alive(jobId: string): string;
  /** hash {epoch, data}: the job's latest checkpoint, where a worker taking over a job resumes from */
  checkpoint(jobId: string): string;
  /** set when the run's cancellation was asked for: the worker stops after the current epoch */
  cancel(jobId: string): string;
  /** a transported dataset's canonical bytes, by their SHA-256 (shared by every run on that data) */
  dataset(sha256: string): string;
  /** the set of worker ids, and each worker's self-description (expires when it stops beating) */
  workers: string;
  worker(workerId: string): string;
}

export function queueKeys(prefix: string = DEFAULT_PREFIX): QueueKeys {
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(prefix)) throw new Error(`queue prefix '${prefix}': letters, digits, '.', '_' and '-' only`);
  return {
    prefix,
    results: (coordinator) => `${prefix}:results:${coordinator}`,
    lease: (jobId) => `${prefix}:lease:${jobId}`,
    alive: (jobId) => `${prefix}:alive:${jobId}`,
    checkpoint: (jobId) => `${prefix}:ckpt:${jobId}`,
    cancel: (jobId) => `${prefix}:cancel:${jobId}`,
    dataset: (sha256) => `${prefix}:data:${sha256}`,
    workers: `${prefix}:workers`,
    worker: (workerId) => `${prefix}:worker:${workerId}`,
  };
}
