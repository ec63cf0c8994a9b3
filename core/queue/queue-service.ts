import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ApiEvent, QueueStatus, WorkerInfo } from '../../contract/api';
import { UserError } from '../errors';
import type { ExperimentStore, RunRecord } from '../store';
import { startCoordinator, type Coordinator } from './coordinator';
import type { DatasetMemo } from './producer';
import { parseQueueUrl, redactSecret, type QueueAddress } from './redis-url';

/**
 * The queue as serve mode and the desktop app hold it: an optional coordinator on the queue URL of
 * the settings, connected in the background (a Redis that is down never blocks the app), and what
 * the API asks of it: its status, the workers, submitting and cancelling remote runs.
 *
 * The URL is kept in `queue.json` in the data folder, readable by its owner only (it may hold the
 * Redis password); everything the service returns or logs shows the redacted form.
 */

export const QUEUE_FILE = 'queue.json';

export interface QueueServiceOptions {
  store: ExperimentStore;
  databasePath: string;
  dataDir: string;
  cacheDir?: string;
  publish: (event: ApiEvent) => void;
  log: (line: string) => void;
  /** tests: how long to wait for Redis before calling it unreachable [10 s] */
  connectTimeoutMs?: number;
}

export interface QueueService {
  status(): Promise<QueueStatus>;
  workers(): Promise<WorkerInfo[]>;
  /** saves the URL (null: no queue) and reconnects; a malformed URL is a UserError */
  configure(url: string | null): Promise<QueueStatus>;
  /** the coordinator, once connected; a UserError saying why not otherwise */
  connected(): Promise<Coordinator>;
  /** resolves the data of runs about to be created, refusing what cannot be sent; pass the result to submit */
  prepare(refs: string[]): Promise<DatasetMemo>;
  submit(runId: number, options?: { resume?: boolean; memo?: DatasetMemo }): Promise<void>;
  cancel(runId: number): Promise<RunRecord>;
  close(): Promise<void>;
}

export function createQueueService(options: QueueServiceOptions): QueueService {
  let address: QueueAddress | null = null;
  let coordinator: Coordinator | null = null;
  let connecting: Promise<Coordinator | null> | null = null;
  let lastError: string | null = null;
  let lastAttempt = 0;
  let closed = false;
  /** an unreachable queue is tried again on demand, at most this often */
  const RETRY_MS = 5000;

  const saved = readSavedUrl(options.dataDir, options.log);
  if (saved) {
    try {
      address = parseQueueUrl(saved);
    } catch (error) {
      options.log(`alignahead: ${join(options.dataDir, QUEUE_FILE)}: ${(error as Error).message}; no queue`);
    }
  }

  function connect(): Promise<Coordinator | null> {
    if (coordinator || !address || closed) return Promise.resolve(coordinator);
    if (connecting) return connecting;
    const target = address;
    lastAttempt = Date.now();
    connecting = startCoordinator({
      address: target,
      store: options.store,
      databasePath: options.databasePath,
      cacheDir: options.cacheDir,
      onEvent: options.publish,
      log: options.log,
      connectTimeoutMs: options.connectTimeoutMs,
    })
      .then(async (started) => {
        if (closed || address !== target) {
          await started.close();
          return null;
        }
        coordinator = started;
        lastError = null;
        return started;
      })
      .catch((error: unknown) => {
        lastError = redactSecret((error as Error).message, target);
        return null;
      })
      .finally(() => (connecting = null));
    return connecting;
  }
  void connect();

  async function disconnect(): Promise<void> {
    const current = coordinator;
    coordinator = null;
    await current?.close();
  }

  const service: QueueService = {
    async status() {
      if (!address) return { url: null, state: 'off', error: null, coordinator: null, depth: null, ingest: null };
      if (!coordinator && !connecting && Date.now() - lastAttempt > RETRY_MS) void connect();
      if (!coordinator) return { url: address.redacted, state: connecting && lastError === null ? 'connecting' : 'unreachable', error: lastError, coordinator: null, depth: null, ingest: null };
      const stats = coordinator.stats();
      try {
        const depth = await coordinator.depth();
        return { url: address.redacted, state: 'connected', error: null, coordinator: coordinator.id, depth, ingest: { applied: stats.applied, skipped: stats.skipped, refused: stats.refused } };
      } catch (error) {
        return { url: address.redacted, state: 'unreachable', error: redactSecret((error as Error).message, address), coordinator: coordinator.id, depth: null, ingest: null };
      }
    },

    async workers() {
      const current = coordinator ?? (await connect());
      if (!current) return [];
      return (await current.workers()).map((w) => ({
        id: w.id,
        name: w.name,
        host: w.host,
        backend: w.backend ?? w.requestedBackend,
        adapter: w.adapter,
        concurrency: w.concurrency,
        jobs: w.jobs.map((j) => ({ runId: j.runId, epoch: j.epoch, plannedEpochs: j.plannedEpochs, startedAt: j.startedAt })),
        lastHeartbeat: w.lastHeartbeat,
      }));
    },

    async configure(url) {
      const next = url === null || url.trim() === '' ? null : parseQueueUrl(url);
      writeSavedUrl(options.dataDir, next === null ? null : url!.trim());
      await disconnect();
      address = next;
      lastError = null;
      await connect();
      return service.status();
    },

    async connected() {
      if (!address) throw new UserError('no queue is configured: set the queue URL (redis://HOST:PORT) first');
      const current = coordinator ?? (await connect());
      if (!current) throw new UserError(`the queue at ${address.redacted} is not reachable${lastError ? `: ${lastError}` : ''}`);
      return current;
    },

    async prepare(refs) {
      return (await service.connected()).prepare(refs);
    },

    async submit(runId, submitOptions = {}) {
      await (await service.connected()).submit(runId, submitOptions);
    },

    async cancel(runId) {
      return (await service.connected()).cancel(runId);
    },

    async close() {
      closed = true;
      await connecting;
      await disconnect();
    },
  };
  return service;
}

function readSavedUrl(dataDir: string, log: (line: string) => void): string | null {
  const path = join(dataDir, QUEUE_FILE);
  if (!existsSync(path)) return null;
  try {
    const saved = JSON.parse(readFileSync(path, 'utf8')) as { url?: unknown };
    return typeof saved.url === 'string' && saved.url.trim() !== '' ? saved.url : null;
  } catch (error) {
    log(`alignahead: ${path} is not valid JSON (${(error as Error).message}); no queue`);
    return null;
  }
}

/** Atomically, readable by the owner only: the URL may carry the Redis password. */
function writeSavedUrl(dataDir: string, url: string | null): void {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, QUEUE_FILE);
  const temp = `${path}.tmp-${process.pid}`;
  writeFileSync(temp, JSON.stringify({ url }, null, 2) + '\n', { mode: 0o600 });
  chmodSync(temp, 0o600);
  renameSync(temp, path);
}
