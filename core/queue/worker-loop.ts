import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { gpuOf } from '../api/adapter-label';
import { sha256Hex } from '../datasets/canonical';
import { currentOwner } from '../store';
import type { JobStart, JobToWorker, WorkerToJob } from './job-process';
import { queueKeys, RUNS_QUEUE, type QueueKeys } from './keys';
import { jobIdSchema, MESSAGE_VERSION, parseRunJob, type ResultBody, type ResultMessage, type WorkerIdentity } from './messages';
import { onceEvery, reachable, redactSecret, redisOptions, REDIS_PASSWORD_ENV_VAR, type QueueAddress } from './redis-url';
import { publishWorker, removeWorker, type WorkerJobView, type WorkerView } from './worker-registry';

/**
 * `alignahead worker`: takes run jobs from the BullMQ queue and trains each in a process of its own
 * (job-process.ts), `concurrency` at a time. Everything the trainer records is appended to the
 * coordinator's results stream, in order, each message fenced by the job's lease: a worker that lost
 * its job (its lock expired and another worker took it over) can no longer add anything, and stops.
 * Checkpoints also go to the job's checkpoint key, where a worker taking the job over resumes from.
 *
 * BullMQ does the rest: a job's lock is renewed while its worker lives; a worker killed mid-run lets
 * its lock expire, and another worker's stalled-job check puts the job back in the queue.
 */

export interface QueueWorkerOptions {
  address: QueueAddress;
  name: string;
  concurrency: number;
  /** --backend: used for runs whose config leaves the backend to the machine ('auto') */
  backend: string | null;
  cacheDir: string;
  prefix?: string;
  /** BullMQ job lock (ms): a killed worker's job is taken over about this long after [$ALIGNAHEAD_QUEUE_LOCK_MS or 30000] */
  lockMs?: number;
  /** how often the worker beats, checks for cancellations and refreshes its jobs' liveness [1000] */
  beatMs?: number;
  log: (line: string) => void;
  onJob?: (event: JobProgress) => void;
}

export type JobProgress =
  | { type: 'start'; job: string; runId: number; label: string; startEpoch: number; plannedEpochs: number }
  | { type: 'epoch'; job: string; runId: number; epoch: number; plannedEpochs: number | null; valMetrics: (number | null)[] }
  | { type: 'end'; job: string; runId: number; status: string; error: string | null };

export interface QueueWorker {
  readonly id: string;
  /** stops taking jobs; `force` kills running jobs at once (others take them over), else waits for them */
  close(options?: { force?: boolean }): Promise<void>;
}

/** Liveness of a job's worker, as the coordinator sees it (a few beats). */
export const ALIVE_TTL_MS = 15_000;
export const LOCK_ENV_VAR = 'ALIGNAHEAD_QUEUE_LOCK_MS';

const RUN_TS = fileURLToPath(new URL('../../bin/run-ts.js', import.meta.url));
const JOB_ENTRY = fileURLToPath(new URL('./job-process.ts', import.meta.url));

/** Appends a message only while `lease` holds the job; stores a checkpoint with it. 1: done, 0: lease lost. */
const FENCED_APPEND = `
if redis.call('HGET', KEYS[1], 'lease') ~= ARGV[1] then return 0 end
redis.call('XADD', KEYS[2], '*', 'm', ARGV[2])
if ARGV[3] ~= '' then redis.call('HSET', KEYS[3], 'epoch', ARGV[3], 'data', ARGV[4]) end
return 1`;

type FencedRedis = Redis & { fencedAppend(lease: string, stream: string, checkpoint: string, leaseId: string, message: string, ckptEpoch: string, ckptData: string): Promise<number> };

interface ActiveJob {
  view: WorkerJobView;
  lease: string;
  child: ChildProcess | null;
  cancelSent: boolean;
}

export async function startQueueWorker(options: QueueWorkerOptions): Promise<QueueWorker> {
  const keys = queueKeys(options.prefix);
  const { log } = options;
  const say = (line: string) => log(redactSecret(line, options.address));
  const lockMs = options.lockMs ?? (Number(process.env[LOCK_ENV_VAR]) || 30_000);
  const beatMs = options.beatMs ?? 1000;
  const redis = new Redis(redisOptions(options.address)) as FencedRedis;
  redis.defineCommand('fencedAppend', { numberOfKeys: 3, lua: FENCED_APPEND });
  const connectionProblem = onceEvery(10_000, (message: string) => say(`alignahead worker: redis: ${message}`));
  redis.on('error', (error) => connectionProblem(error.message));
  try {
    await reachable(redis, options.address);
  } catch (error) {
    redis.disconnect();
    throw error;
  }
  const owner = currentOwner();
  const identity: WorkerIdentity = { worker: options.name, host: owner.host, pid: owner.pid, start: owner.startToken };
  const id = `${options.name.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 60)}-${randomBytes(4).toString('hex')}`;
  const active = new Map<string, ActiveJob>();
  const startedAt = new Date().toISOString();
  let lastBackend: { backend: string | null; adapter: string | null } = { backend: null, adapter: null };

  const view = (): WorkerView => ({
    id,
    name: options.name,
    host: owner.host,
    pid: owner.pid,
    requestedBackend: options.backend ?? 'auto',
    backend: lastBackend.backend,
    adapter: lastBackend.adapter,
    concurrency: options.concurrency,
    jobs: [...active.values()].map((a) => a.view),
    startedAt,
    lastHeartbeat: new Date().toISOString(),
  });

  async function beat(): Promise<void> {
    try {
      await publishWorker(redis, keys, view(), beatMs);
      for (const [jobId, job] of active) {
        await redis.set(keys.alive(jobId), job.lease, 'PX', ALIVE_TTL_MS);
        if (!job.cancelSent && job.child && (await redis.exists(keys.cancel(jobId)))) {
          job.cancelSent = true;
          job.child.send({ type: 'cancel' } satisfies WorkerToJob);
          say(`job ${jobId} (run ${job.view.runId}): cancellation asked; stopping after this epoch`);
        }
      }
    } catch (error) {
      connectionProblem(`heartbeat failed: ${(error as Error).message}`);
    }
  }
  const beater = setInterval(() => void beat(), beatMs);

  async function processJob(job: Job): Promise<{ status: string }> {
    const jobId = job.id ?? '';
    if (!jobIdSchema.safeParse(jobId).success) {
      say(`job '${jobId.slice(0, 80)}' refused: not a job id of this queue`);
      throw new UnrecoverableError(`job id '${jobId.slice(0, 80)}' is not a run job of this queue`);
    }
    const parsed = parseRunJob(job.data);
    if (!parsed.ok) {
      say(`job ${jobId} refused: ${parsed.error}`);
      throw new UnrecoverableError(parsed.error);
    }
    const run = parsed.value;
    // Take the lease first: from now on an earlier holder of this job can add nothing.
    const lease = randomBytes(12).toString('base64url');
    await redis.hset(keys.lease(jobId), { lease, worker: identity.worker, host: identity.host, pid: String(identity.pid), start: identity.start ?? '' });
    if (await redis.exists(keys.cancel(jobId))) {
      const message: ResultMessage = { v: MESSAGE_VERSION, job: jobId, run: run.runId, lease, seq: 1, by: identity, body: { kind: 'withdrawn' } };
      await redis.fencedAppend(keys.lease(jobId), keys.results(run.coordinator), keys.checkpoint(jobId), lease, JSON.stringify(message), '', '');
      return { status: 'cancelled' };
    }
    await redis.set(keys.alive(jobId), lease, 'PX', ALIVE_TTL_MS);
    const saved = await redis.hgetall(keys.checkpoint(jobId));
    const checkpoint = saved.epoch !== undefined && saved.data !== undefined ? { epoch: Number(saved.epoch), data: saved.data } : null;
    const entry: ActiveJob = { view: { job: jobId, runId: run.runId, epoch: checkpoint?.epoch ?? 0, plannedEpochs: run.config.epochs, startedAt: new Date().toISOString() }, lease, child: null, cancelSent: false };
    active.set(jobId, entry);
    const label = `run ${run.runId} ${run.config.data} ${run.config.strategy} K=${run.config.students} seed ${run.config.seed}`;
    options.onJob?.({ type: 'start', job: jobId, runId: run.runId, label, startEpoch: checkpoint?.epoch ?? 0, plannedEpochs: run.config.epochs });
    let seq = 0;
    let lost = false;
    let final: { status: string; error: string | null } | null = null;
    let chain: Promise<void> = Promise.resolve();
    const append = (body: ResultBody) => {
      const message: ResultMessage = { v: MESSAGE_VERSION, job: jobId, run: run.runId, lease, seq: ++seq, by: identity, body };
      chain = chain.then(async () => {
        if (lost) return;
        const ckpt = body.kind === 'checkpoint' ? [String(body.epoch), body.data] : ['', ''];
        const ok = await redis.fencedAppend(keys.lease(jobId), keys.results(run.coordinator), keys.checkpoint(jobId), lease, JSON.stringify(message), ckpt[0], ckpt[1]);
        if (ok === 0) {
          lost = true;
          say(`job ${jobId} (run ${run.runId}): another worker holds it now; stopping this copy`);
          entry.child?.kill('SIGKILL');
        }
      });
    };
    try {
      const datasetFile = run.dataset.transported ? await fetchDataset(redis, keys, run.dataset.sha256!, options.cacheDir) : null;
      const exit = await runChild(entry, { type: 'start', job: job.data, checkpoint, datasetFile, backend: options.backend, cacheDir: options.cacheDir }, (body) => {
        append(body);
        if (body.kind === 'info' && body.backend) lastBackend = { backend: body.backend, adapter: adapterOf(body.backendReport) };
        if (body.kind === 'epoch') {
          entry.view.epoch = body.epoch;
          options.onJob?.({ type: 'epoch', job: jobId, runId: run.runId, epoch: body.epoch, plannedEpochs: entry.view.plannedEpochs, valMetrics: body.rows.map((r) => r.valMetric) });
        }
        if (body.kind === 'status') final = { status: body.status, error: body.error };
        if (body.kind === 'refused') final = { status: 'refused', error: body.error };
      });
      if (final === null && !lost) {
        // The training process died without saying how the run ended.
        const error = `training process on worker ${options.name} exited with ${exit}`;
        append(seq === 0 ? { kind: 'refused', error } : { kind: 'status', status: 'failed', error });
        final = { status: 'failed', error };
      }
    } catch (error) {
      // Could not even start (dataset bytes missing, fork failed): the run fails with the reason.
      const message = (error as Error).message;
      if (seq === 0) append({ kind: 'refused', error: message });
      final = { status: 'refused', error: message };
    } finally {
      await chain.catch((error) => say(`job ${jobId}: could not send results: ${(error as Error).message}`));
      active.delete(jobId);
      await redis.del(keys.alive(jobId)).catch(() => {});
    }
    const ended = final as { status: string; error: string | null } | null;
    options.onJob?.({ type: 'end', job: jobId, runId: run.runId, status: lost ? 'lost' : (ended?.status ?? 'unknown'), error: ended?.error ?? null });
    if (lost) throw new Error(`job ${jobId} was taken over by another worker`);
    if (ended && ended.status !== 'completed' && ended.status !== 'cancelled') throw new UnrecoverableError(ended.error ?? ended.status);
    return { status: ended?.status ?? 'unknown' };
  }

  function runChild(entry: ActiveJob, start: JobStart, onResult: (body: ResultBody) => void): Promise<string> {
    return new Promise((resolve, reject) => {
      const env = { ...process.env };
      delete env[REDIS_PASSWORD_ENV_VAR];
      const child = fork(RUN_TS, [JOB_ENTRY], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: [], serialization: 'json', env });
      entry.child = child;
      child.on('message', (message: JobToWorker) => {
        if (message?.type === 'result') onResult(message.body);
      });
      child.on('error', reject);
      child.on('exit', (code, signal) => resolve(signal ? `signal ${signal}` : `code ${code}`));
      child.send(start);
    });
  }

  const workerConnection = new Redis(redisOptions(options.address));
  workerConnection.on('error', (error) => connectionProblem(error.message));
  const worker = new Worker(RUNS_QUEUE, processJob, {
    connection: workerConnection,
    prefix: keys.prefix,
    concurrency: options.concurrency,
    name: options.name,
    lockDuration: lockMs,
    stalledInterval: Math.max(500, Math.round(lockMs / 2)),
    // a job may change hands many times (each killed worker is one stall)
    maxStalledCount: 1000,
  });
  worker.on('error', (error) => connectionProblem(error.message));
  await worker.waitUntilReady();
  await beat();
  say(`worker ${options.name} (${id}) takes jobs from ${options.address.redacted}, ${options.concurrency} at a time`);

  return {
    id,
    async close({ force = false } = {}) {
      clearInterval(beater);
      if (force) for (const job of active.values()) job.child?.kill('SIGKILL');
      // Leaving must not wait on a Redis that is gone: BullMQ and the registry get a few seconds.
      const atMost = (promise: Promise<unknown>, ms: number) => Promise.race([promise.catch(() => {}), new Promise((r) => setTimeout(r, ms).unref())]);
      await (force ? atMost(worker.close(true), 5000) : worker.close(false));
      await atMost(removeWorker(redis, keys, id), 2000);
      redis.disconnect();
      workerConnection.disconnect();
    },
  };
}

/** A transported dataset's bytes, cached on disk by hash (a sweep on one file fetches it once per worker). */
async function fetchDataset(redis: Redis, keys: QueueKeys, sha256: string, cacheDir: string): Promise<string> {
  const dir = join(cacheDir, 'queue');
  const path = join(dir, `${sha256}.bin`);
  if (existsSync(path)) return path;
  const bytes = await redis.getBuffer(keys.dataset(sha256));
  if (!bytes) throw new Error(`the dataset bytes (${sha256.slice(0, 12)}…) are no longer in Redis; submit the run again`);
  if (sha256Hex(bytes) !== sha256) throw new Error(`the dataset bytes in Redis do not hash to ${sha256.slice(0, 12)}…`);
  mkdirSync(dir, { recursive: true });
  const temp = `${path}.tmp-${process.pid}`;
  writeFileSync(temp, bytes);
  renameSync(temp, path);
  return path;
}

/** What the Workers panel shows as the worker's adapter: its GPU, else its graph kernels' threads. */
function adapterOf(report: unknown): string | null {
  const gpu = gpuOf(report);
  if (gpu) return gpu;
  const r = report as { kernelThreads?: unknown; graphOps?: unknown } | null;
  if (typeof r?.kernelThreads === 'number') return `${String(r.graphOps ?? 'graph')} ops on ${r.kernelThreads} threads`;
  return typeof r?.graphOps === 'string' ? r.graphOps : null;
}
