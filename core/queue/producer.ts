import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { canonicalDatasetBytes, canonicalDatasetSize, datasetSha256 } from '../datasets/canonical';
import { findCatalogEntry } from '../datasets/catalog';
import { loadDataset } from '../datasets/load';
import { parseDatasetSpec } from '../datasets/spec';
import { UserError } from '../errors';
import type { ExperimentStore, RunRecord } from '../store';
import { parseRunConfig } from '../train/run-config';
import type { QueueKeys } from './keys';
import { bytesToBase64, MESSAGE_VERSION, type RunJob } from './messages';

/**
 * The coordinator's submissions: a queued run of its store becomes a BullMQ job (the run's config and
 * how to get its data), and the run records which job trains it. Catalog names and generator specs
 * resolve on the worker; a local file travels by content: its canonical bytes go to Redis once, by
 * SHA-256, and the worker checks the hash. A resumed run's latest checkpoint goes with its job.
 */

/** Largest dataset sent through Redis [$ALIGNAHEAD_QUEUE_MAX_DATASET_MB or 256 MiB]. */
export const DEFAULT_MAX_DATASET_BYTES = 256 * 1024 * 1024;
export const MAX_DATASET_ENV_VAR = 'ALIGNAHEAD_QUEUE_MAX_DATASET_MB';
/** Transported datasets stay in Redis this long after their last submission. */
const DATASET_TTL_S = 7 * 24 * 3600;

export interface ProducerContext {
  store: ExperimentStore;
  queue: Queue;
  redis: Redis;
  keys: QueueKeys;
  coordinator: string;
  cacheDir?: string;
  maxDatasetBytes?: number;
}

export function maxDatasetBytes(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[MAX_DATASET_ENV_VAR]?.trim();
  if (!raw) return DEFAULT_MAX_DATASET_BYTES;
  const mb = Number(raw);
  if (!Number.isFinite(mb) || mb <= 0) throw new UserError(`${MAX_DATASET_ENV_VAR}: '${raw}' is not a positive number of MiB`);
  return Math.round(mb * 1024 * 1024);
}

/** Whether a worker resolves this reference itself (catalog names, specs) rather than receiving bytes. */
export function resolvesOnWorker(ref: string): boolean {
  const text = ref.trim();
  return text === 'demo' || parseDatasetSpec(text) !== null || findCatalogEntry(text) !== undefined;
}

/** Dataset identities of one submission, by reference (a sweep loads each dataset once). */
export type DatasetMemo = Map<string, RunJob['dataset']>;

/**
 * Resolves (and, for local files, uploads) the data of runs about to be submitted, so that a dataset
 * too large to send refuses the submission before any run is created.
 */
export async function prepareDatasets(context: ProducerContext, refs: string[], memo: DatasetMemo = new Map()): Promise<DatasetMemo> {
  for (const ref of new Set(refs)) await datasetOfJob(context, ref, memo);
  return memo;
}

async function datasetOfJob(context: ProducerContext, ref: string, memo: DatasetMemo): Promise<RunJob['dataset']> {
  const known = memo.get(ref);
  if (known) return known;
  let entry: RunJob['dataset'];
  if (resolvesOnWorker(ref)) {
    // Loaded here only to learn its hash; a catalog dataset this machine has not downloaded is
    // hashed by the worker alone (null: no check).
    let sha256: string | null = null;
    try {
      sha256 = datasetSha256(await loadDataset(ref, { cacheDir: context.cacheDir }));
    } catch (error) {
      if (parseDatasetSpec(ref.trim()) !== null) throw error;
    }
    entry = { ref, sha256, transported: false };
  } else {
    const dataset = await loadDataset(ref, { cacheDir: context.cacheDir });
    const limit = context.maxDatasetBytes ?? maxDatasetBytes();
    const size = canonicalDatasetSize(dataset);
    if (size > limit) {
      throw new UserError(
        `dataset '${ref}': ${(size / 2 ** 20).toFixed(1)} MiB of arrays is over the ${(limit / 2 ** 20).toFixed(0)} MiB limit for sending data through the queue; ` +
          `import it on each worker under one name (alignahead datasets import PATH --name NAME) and submit NAME, or raise ${MAX_DATASET_ENV_VAR}`,
      );
    }
    const bytes = canonicalDatasetBytes(dataset);
    const sha256 = datasetSha256(dataset);
    const key = context.keys.dataset(sha256);
    // NX: the same data submitted again is not sent again, only kept longer.
    await context.redis.set(key, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), 'EX', DATASET_TTL_S, 'NX');
    await context.redis.expire(key, DATASET_TTL_S);
    entry = { ref, sha256, transported: true };
  }
  memo.set(ref, entry);
  return entry;
}

/**
 * Sends a queued run to the workers. `resume`: the run continues from its latest checkpoint.
 * Returns the job id, which the run records.
 */
export async function submitRun(context: ProducerContext, runId: number, options: { resume?: boolean; memo?: DatasetMemo } = {}): Promise<string> {
  const { store } = context;
  const run = store.getRun(runId);
  if (!run) throw new UserError(`run ${runId} not found`);
  if (run.status !== 'queued') throw new UserError(`run ${runId} is ${run.status}: only queued runs can be sent to the workers`);
  const config = parseRunConfig(run.config);
  const dataset = await datasetOfJob(context, config.data, options.memo ?? new Map());
  const jobId = `${context.coordinator}-r${run.id}-${Date.now().toString(36)}`;
  const job: RunJob = { v: MESSAGE_VERSION, runId: run.id, coordinator: context.coordinator, config, dataset };
  if (options.resume) {
    const checkpoint = store.latestCheckpoint(run.id);
    if (checkpoint) await context.redis.hset(context.keys.checkpoint(jobId), { epoch: String(checkpoint.epoch), data: bytesToBase64(checkpoint.data) });
  }
  // The run names its job before the job exists: results of this job are never refused as foreign.
  store.updateRunInfo(run.id, { queue: { job: jobId, lease: null, seq: null } });
  await context.queue.add('run', job, { jobId, removeOnComplete: true, removeOnFail: { age: 7 * 24 * 3600 }, attempts: 1 });
  return jobId;
}

/**
 * Asks a remote run to stop: a queued one is cancelled at once and its job withdrawn; a running one
 * is flagged, and its worker stops it after the current epoch (the run then ends `cancelled`).
 */
export async function cancelRun(context: ProducerContext, runId: number): Promise<RunRecord> {
  const run = context.store.requestCancel(runId);
  if (run.queue) {
    await context.redis.set(context.keys.cancel(run.queue.job), '1', 'EX', 7 * 24 * 3600);
    const job = await context.queue.getJob(run.queue.job);
    if (job && (await job.isWaiting())) await job.remove().catch(() => {});
  }
  return run;
}
