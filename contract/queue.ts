/** The records of remote runs as the Workers panel shows them (the queue itself is core/queue/). */

/** Where remote runs go: the queue's address (password shown as ***), its state and depth. */
export interface QueueStatus {
  url: string | null;
  state: 'off' | 'connecting' | 'connected' | 'unreachable';
  error: string | null;
  /** this database's coordinator id (names its results stream in Redis) */
  coordinator: string | null;
  depth: { waiting: number; active: number; delayed: number; failed: number } | null;
  /** result messages applied, skipped as duplicates, refused, since the app started */
  ingest: { applied: number; skipped: number; refused: number } | null;
}

/** A connected worker, as the Workers panel lists it. */
export interface WorkerInfo {
  id: string;
  name: string;
  host: string;
  backend: string;
  adapter: string | null;
  concurrency: number;
  jobs: { runId: number; epoch: number; plannedEpochs: number | null; startedAt: string }[];
  lastHeartbeat: string;
}
