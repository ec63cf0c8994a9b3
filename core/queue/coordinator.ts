import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { ApiEvent } from '../../contract/api';
import { hostId, type ExperimentStore, type RunRecord } from '../store';
import { applyResult, type IngestOutcome } from './ingest';
import { queueKeys, RESULTS_GROUP, RUNS_QUEUE } from './keys';
import { parseResultMessage } from './messages';
import { cancelRun, prepareDatasets, submitRun, type DatasetMemo, type ProducerContext } from './producer';
import { onceEvery, reachable, redactSecret, redisOptions, type QueueAddress } from './redis-url';
import { listWorkers, type WorkerView } from './worker-registry';

/**
 * The coordinator: the process that owns the history (CLI `train/sweep --queue`, serve mode). It
 * submits its store's runs as jobs, and consumes its results stream (a Redis stream read through a
 * consumer group): each batch of messages is applied to the store in one transaction, then
 * acknowledged and deleted. Messages wait in Redis while no coordinator runs; a batch applied but
 * not acknowledged (a crash in between) is read again and skipped, since applying is idempotent.
 *
 * Liveness of remote runs: a remote run's owner in the store is its worker (host id, pid). Every few
 * seconds the coordinator refreshes heartbeat_at of each remote running run whose worker still
 * beats in Redis, so the store's one liveness rule applies to remote runs unchanged. When the
 * coordinator itself was away past the limit, the run may read `interrupted`; it goes back to
 * `running` as soon as its worker is seen alive or its next results arrive (ingest.ts).
 */

export interface CoordinatorOptions {
  address: QueueAddress;
  store: ExperimentStore;
  /** the database the store holds: with this host, it names the coordinator's results stream */
  databasePath: string;
  prefix?: string;
  cacheDir?: string;
  onEvent?: (event: ApiEvent) => void;
  log?: (line: string) => void;
  /** messages applied per transaction [1000] */
  batchSize?: number;
  /** how long one read waits for new messages [500 ms] */
  blockMs?: number;
  /** heartbeat refresh and job reconciliation period [5000 ms] */
  livenessMs?: number;
  /** how long to wait for Redis to answer at start [10 s] */
  connectTimeoutMs?: number;
}

export interface IngestStats {
  applied: number;
  skipped: number;
  refused: number;
  lastRefusal: string | null;
}

export interface QueueDepth {
  waiting: number;
  active: number;
  delayed: number;
  failed: number;
}

export interface Coordinator {
  readonly id: string;
  readonly address: QueueAddress;
  /** resolves the data of runs about to be submitted (refusing data too large to send) */
  prepare(refs: string[]): Promise<DatasetMemo>;
  submit(runId: number, options?: { resume?: boolean; memo?: DatasetMemo }): Promise<string>;
  cancel(runId: number): Promise<RunRecord>;
  workers(): Promise<WorkerView[]>;
  depth(): Promise<QueueDepth>;
  stats(): IngestStats;
  /** resolves once every run of `ids` has ended (completed, failed or cancelled) */
  whenEnded(ids: number[], intervalMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** A coordinator's id: the same database on the same host is the same coordinator across restarts. */
export function coordinatorIdFor(databasePath: string): string {
  return createHash('sha256').update(`${hostId()}\u0000${resolve(databasePath)}`).digest('hex').slice(0, 16);
}

const CONSUMER = 'ingest';
/** longest the ingest holds the event loop (and the write lock) at a time */
const SLICE_MS = 25;

export async function startCoordinator(options: CoordinatorOptions): Promise<Coordinator> {
  const { store, address } = options;
  const keys = queueKeys(options.prefix);
  const id = coordinatorIdFor(options.databasePath);
  const stream = keys.results(id);
  const log = (line: string) => (options.log ?? ((l: string) => process.stderr.write(l + '\n')))(redactSecret(line, address));
  const emit = (event: ApiEvent) => {
    try {
      options.onEvent?.(event);
    } catch (error) {
      log(`alignahead coordinator: event listener failed: ${(error as Error).message}`);
    }
  };
  const batchSize = options.batchSize ?? 1000;
  const blockMs = options.blockMs ?? 500;
  const redis = new Redis(redisOptions(address));
  // A blocking read whose reply is lost when the connection drops must fail, not be sent again: the
  // entries it delivered wait in the pending list and are read again, in order, before newer ones.
  // (maxRetriesPerRequest 0 rejects it at once; without it ioredis would drop it unanswered.)
  const reader = new Redis({ ...redisOptions(address), autoResendUnfulfilledCommands: false, maxRetriesPerRequest: 0 });
  const connectionProblem = onceEvery(10_000, (message: string) => log(`alignahead coordinator: redis ${address.redacted}: ${message}`));
  for (const client of [redis, reader]) client.on('error', (error) => connectionProblem(error.message));
  try {
    await reachable(redis, address, options.connectTimeoutMs);
  } catch (error) {
    redis.disconnect();
    reader.disconnect();
    throw error;
  }
  const queue = new Queue(RUNS_QUEUE, { connection: redis, prefix: keys.prefix });
  queue.on('error', (error) => connectionProblem(error.message));
  const context: ProducerContext = { store, queue, redis, keys, coordinator: id, cacheDir: options.cacheDir };
  const stats: IngestStats = { applied: 0, skipped: 0, refused: 0, lastRefusal: null };
  let closed = false;
  /** the last read found nothing new: every result appended before it has been applied */
  let caughtUp = false;

  async function ensureGroup(): Promise<void> {
    try {
      await redis.xgroup('CREATE', stream, RESULTS_GROUP, '0', 'MKSTREAM');
    } catch (error) {
      if (!String((error as Error).message).includes('BUSYGROUP')) throw error;
    }
  }

  function refuse(entryId: string, error: string): void {
    stats.refused++;
    stats.lastRefusal = error;
    log(`alignahead coordinator: result ${entryId} refused: ${error}`);
  }

  /**
   * Applies what one read returned, in transactions of at most SLICE_MS each, yielding to the event
   * loop between them (the UI served by this process stays responsive during a backlog); the events
   * of a slice go out once it is committed.
   */
  async function ingest(entries: [string, string[] | null][]): Promise<void> {
    let next = 0;
    while (next < entries.length) {
      const sliceStart = performance.now();
      const outcomes = store.batch(() => {
        const out: { entryId: string; outcome: IngestOutcome | { result: 'malformed'; error: string } }[] = [];
        while (next < entries.length && (out.length === 0 || performance.now() - sliceStart < SLICE_MS)) {
          const [entryId, fields] = entries[next++];
          const at = fields ? fields.indexOf('m') : -1;
          const parsed = parseResultMessage(at >= 0 ? fields![at + 1] : undefined);
          out.push({ entryId, outcome: parsed.ok ? applyResult(store, parsed.value) : { result: 'malformed', error: parsed.error } });
        }
        return out;
      });
      for (const { entryId, outcome } of outcomes) {
        if (outcome.result === 'applied') {
          stats.applied++;
          outcome.events.forEach(emit);
        } else if (outcome.result === 'skipped') stats.skipped++;
        else refuse(entryId, outcome.error);
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  type StreamReply = [string, [string, string[] | null][]][] | null;

  async function consume(): Promise<void> {
    // First what an earlier run of this coordinator read but did not acknowledge, then new messages.
    let backlog = true;
    while (!closed) {
      try {
        const reply = (backlog
          ? await redis.xreadgroup('GROUP', RESULTS_GROUP, CONSUMER, 'COUNT', batchSize, 'STREAMS', stream, '0')
          : await withTimeout(reader.xreadgroup('GROUP', RESULTS_GROUP, CONSUMER, 'COUNT', batchSize, 'BLOCK', blockMs, 'STREAMS', stream, '>'), blockMs + 10_000)) as StreamReply;
        const entries = reply?.[0]?.[1] ?? [];
        if (entries.length === 0) {
          if (backlog) backlog = false;
          else caughtUp = true;
          continue;
        }
        caughtUp = false;
        await ingest(entries);
        const ids = entries.map(([entryId]) => entryId);
        await redis.multi().xack(stream, RESULTS_GROUP, ...ids).xdel(stream, ...ids).exec();
      } catch (error) {
        if (closed) break;
        backlog = true;
        const message = (error as Error).message;
        if (message.includes('NOGROUP')) await ensureGroup().catch(() => {});
        else connectionProblem(`reading results: ${message}`);
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  /** Remote runs whose worker beats in Redis keep their heartbeat fresh; failed jobs fail their run. */
  async function watchRemoteRuns(): Promise<void> {
    const remote = store
      .listRuns({ status: ['queued', 'running', 'interrupted'], limit: 10_000 })
      .map((item) => store.getRun(item.id))
      .filter((run): run is RunRecord => run !== null && run.queue !== null);
    for (const run of remote) {
      const job = run.queue!.job;
      if (run.status !== 'queued') {
        const alive = await redis.get(keys.alive(job));
        if (alive !== null && run.status === 'running') store.heartbeat(run.id);
        if (alive !== null && alive === run.queue!.lease && run.status === 'interrupted') {
          const holder = await redis.hgetall(keys.lease(job));
          if (holder.lease === alive && holder.pid) {
            const owner = { host: holder.host, pid: Number(holder.pid), startToken: holder.start || null };
            emitStatus(store.setStatus(run.id, 'running', { owner, reason: `its worker ${holder.worker} is alive` }));
          }
        }
      }
      if (!caughtUp) continue;
      const state = await queue.getJob(job).then((j) => (j ? j.getState().then((s) => ({ s, reason: j.failedReason })) : null));
      if (state?.s === 'failed') {
        // An interrupted run stays resumable; a queued or running one cannot go on without its job.
        const current = store.getRun(run.id);
        if (current && (current.status === 'queued' || current.status === 'running')) {
          emitStatus(store.setStatus(run.id, 'failed', { error: `its job failed in the queue: ${state.reason || 'no reason given'}` }));
        }
      }
    }
  }

  function emitStatus(run: RunRecord): void {
    emit({ type: 'run.status', runId: run.id, status: run.status, error: run.error });
  }

  await ensureGroup();
  const consuming = consume();
  let watching: Promise<void> = Promise.resolve();
  const watcher = setInterval(() => {
    watching = watching.then(watchRemoteRuns).catch((error) => log(`alignahead coordinator: watching remote runs: ${(error as Error).message}`));
  }, options.livenessMs ?? 5000);
  watcher.unref();

  return {
    id,
    address,
    prepare: (refs) => prepareDatasets(context, refs),
    submit: (runId, submitOptions) => submitRun(context, runId, submitOptions),
    cancel: (runId) => cancelRun(context, runId),
    workers: () => listWorkers(redis, keys),
    async depth() {
      const counts = await queue.getJobCounts('wait', 'active', 'delayed', 'failed', 'prioritized');
      return { waiting: (counts.wait ?? 0) + (counts.prioritized ?? 0), active: counts.active ?? 0, delayed: counts.delayed ?? 0, failed: counts.failed ?? 0 };
    },
    stats: () => ({ ...stats }),
    async whenEnded(ids, intervalMs = 200) {
      const ended = (runId: number) => {
        const status = store.getRun(runId)?.status;
        return status === undefined || status === 'completed' || status === 'failed' || status === 'cancelled';
      };
      while (!ids.every(ended)) await new Promise((r) => setTimeout(r, intervalMs));
    },
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(watcher);
      reader.disconnect();
      await consuming;
      await watching;
      await queue.close();
      redis.disconnect();
    },
  };
}

/** A read that neither answers nor fails within `ms` is given up (and its entries read again as pending). */
function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer from Redis in ${ms} ms`)), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

